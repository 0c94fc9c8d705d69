/**
 * Retries, uniform across adapters: each HTTP attempt gets its own timeout; 408, 429, 5xx, timeouts, network
 * errors and malformed answers are retried with exponential backoff (honouring Retry-After); what cannot heal
 * (other 4xx, a redirect, an oversized answer, a bad URL) fails at once. The last failure becomes one clear
 * LrsalError naming the endpoint — RATE_LIMITED, TIMEOUT or REMOTE_ERROR — with credentials and API keys
 * blanked out of any text the server sent back (redact.ts).
 */
import { LrsalError } from '../../core/errors.js';
import { abortedError, sleep } from './limiter.js';
import { redact } from './redact.js';

/** `invalid`: the request cannot be made at all (bad URL); `tooLarge`: the answer exceeded maxResponseBytes. */
export type AttemptFailureKind = 'status' | 'timeout' | 'network' | 'malformed' | 'redirect' | 'tooLarge' | 'invalid';

/** One failed attempt, classified. Adapters throw this from their attempt function. */
export class AttemptFailure extends Error {
  constructor(
    readonly kind: AttemptFailureKind,
    message: string,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }

  get retryable(): boolean {
    if (this.kind === 'timeout' || this.kind === 'network' || this.kind === 'malformed') return true;
    return this.kind === 'status' && (this.status === 429 || this.status === 408 || (this.status ?? 0) >= 500);
  }
}

export interface RetryPolicy {
  retries: number;
  backoffMs: number;
  maxBackoffMs: number;
  timeoutMs: number;
}

/**
 * Run `attempt` until it succeeds or retries run out. `what` names the request in errors ("POST http://…").
 * `onRetry` is called before each repeated attempt.
 */
export async function withRetries<T>(
  what: string,
  policy: RetryPolicy,
  attempt: (signal: AbortSignal) => Promise<T>,
  options: { signal?: AbortSignal; onRetry?: () => void } = {},
): Promise<T> {
  const { signal } = options;
  for (let n = 0; ; n++) {
    if (signal?.aborted) throw abortedError();
    const timeout = AbortSignal.timeout(policy.timeoutMs);
    const attemptSignal = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let failure: AttemptFailure;
    try {
      return await attempt(attemptSignal);
    } catch (error) {
      if (signal?.aborted) throw abortedError();
      if (timeout.aborted) failure = new AttemptFailure('timeout', `no answer within ${policy.timeoutMs} ms`);
      else if (error instanceof AttemptFailure) failure = error;
      else if (error instanceof LrsalError) throw error;
      else failure = new AttemptFailure(canHeal(error) ? 'network' : 'invalid', networkMessage(error));
    }
    const attempts = n + 1;
    if (!failure.retryable || n >= policy.retries) throw finalError(what, failure, attempts, policy);
    const backoff = Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** n * (0.75 + Math.random() * 0.5));
    if (failure.retryAfterMs !== undefined && failure.retryAfterMs > policy.maxBackoffMs) {
      throw new LrsalError('RATE_LIMITED', `${what}: rate limited (HTTP ${failure.status}); the server asks to wait ${Math.ceil(failure.retryAfterMs / 1000)} s, more than the ${policy.maxBackoffMs} ms allowed`);
    }
    options.onRetry?.();
    await sleep(failure.retryAfterMs ?? backoff, signal);
  }
}

function finalError(what: string, f: AttemptFailure, attempts: number, policy: RetryPolicy): LrsalError {
  const error = describeFailure(what, f, attempts, policy);
  return new LrsalError(error.code, redact(error.message));
}

function describeFailure(what: string, f: AttemptFailure, attempts: number, policy: RetryPolicy): LrsalError {
  const tries = attempts === 1 ? '' : ` after ${attempts} attempts`;
  switch (f.kind) {
    case 'timeout':
      return new LrsalError('TIMEOUT', `${what}: no answer within ${policy.timeoutMs} ms${tries}`);
    case 'network':
      return new LrsalError('REMOTE_ERROR', `${what}: request failed (${f.message})${tries}`);
    case 'malformed':
      return new LrsalError('REMOTE_ERROR', `${what}: malformed response (${f.message})${tries}`);
    case 'redirect':
    case 'tooLarge':
      return new LrsalError('REMOTE_ERROR', `${what}: ${f.message}`);
    case 'invalid':
      return new LrsalError('REMOTE_ERROR', `${what}: the request cannot be made (${f.message})`);
    case 'status':
      if (f.status === 429) return new LrsalError('RATE_LIMITED', `${what}: rate limited (HTTP 429)${tries}`);
      return new LrsalError('REMOTE_ERROR', `${what}: ${f.message}${tries}`);
  }
}

/** Retry-After (delta seconds or an HTTP date) in ms; also the non-standard retry-after-ms. */
export function parseRetryAfter(headers: { get(name: string): string | null } | undefined): number | undefined {
  const ms = headers?.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers?.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * Whether an error thrown by fetch itself may go away on retry: a network failure carries a cause with a code
 * (ECONNREFUSED, UND_ERR_SOCKET, ...); a URL fetch cannot use (credentials in it, unknown scheme) does not.
 */
function canHeal(error: unknown): boolean {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } })?.cause;
  if (error instanceof TypeError && cause === undefined) return false;
  return !(typeof cause?.message === 'string' && /unknown scheme|invalid url/i.test(cause.message));
}

function networkMessage(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code) return cause.code;
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.slice(0, 200);
}

/** "HTTP 500 Internal Server Error: <first 200 characters of the body>". */
export function statusMessage(status: number, statusText: string, body: string): string {
  const snippet = redact(body.replace(/\s+/g, ' ').trim()).slice(0, 200);
  return `HTTP ${status}${statusText ? ' ' + statusText : ''}${snippet ? ': ' + snippet : ''}`;
}
