/** The openai client's errors as attempt failures for the shared retry loop (status + Retry-After, network, malformed JSON). */
import OpenAI from 'openai';
import { AttemptFailure, parseRetryAfter, statusMessage } from './retry.js';

export function classifyOpenAiError(error: unknown): unknown {
  // Our own fetch's verdicts (a redirect not followed, an oversized answer) arrive as the error or its cause.
  if (error instanceof AttemptFailure) return error;
  const cause = (error as { cause?: unknown })?.cause;
  if (cause instanceof AttemptFailure) return cause;
  if (error instanceof OpenAI.APIError && typeof error.status === 'number') {
    const body = error.error ? JSON.stringify(error.error) : '';
    return new AttemptFailure('status', statusMessage(error.status, '', body), error.status, parseRetryAfter(error.headers));
  }
  if (error instanceof SyntaxError) return new AttemptFailure('malformed', `not JSON: ${error.message}`);
  if (error instanceof OpenAI.APIConnectionError) {
    const net = cause as { code?: string; cause?: { code?: string } } | undefined;
    return new AttemptFailure('network', net?.code ?? net?.cause?.code ?? error.message);
  }
  return error; // aborts and timeouts: withRetries reads its own signals
}
