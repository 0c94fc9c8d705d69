/** One JSON-over-HTTP attempt (no redirects, size-capped: guarded-fetch.ts), failures classified for the retry loop (see retry.ts). */
import { guardedFetch } from './guarded-fetch.js';
import { AttemptFailure, parseRetryAfter, statusMessage } from './retry.js';

export { displayUrl } from './endpoint.js';

export async function postJsonOnce(url: string, body: unknown, headers: Record<string, string>, signal: AbortSignal, maxResponseBytes: number): Promise<unknown> {
  const response = await guardedFetch(maxResponseBytes)(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify(body),
    signal,
  });
  const text = await response.text();
  if (!response.ok) {
    throw new AttemptFailure('status', statusMessage(response.status, response.statusText, text), response.status, parseRetryAfter(response.headers));
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new AttemptFailure('malformed', `not JSON: ${(error as Error).message}`);
  }
}

/** Base URL without trailing slashes, so `${base}/v1/...` never doubles a slash. */
export function trimBase(url: string): string {
  return url.replace(/\/+$/, '');
}
