/** One JSON-over-HTTP attempt with fetch, failures classified for the retry loop (see retry.ts). */
import { AttemptFailure, parseRetryAfter, statusMessage } from './retry.js';

export async function postJsonOnce(url: string, body: unknown, headers: Record<string, string>, signal: AbortSignal): Promise<unknown> {
  const response = await fetch(url, {
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

/** The endpoint without query string or user info: what errors and stats may show. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return url.split('?')[0]!;
  }
}

/** Base URL without trailing slashes, so `${base}/v1/...` never doubles a slash. */
export function trimBase(url: string): string {
  return url.replace(/\/+$/, '');
}
