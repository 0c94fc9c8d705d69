/**
 * fetch for API calls: redirects are never followed (a redirect would carry the request — API key headers
 * included — to wherever the server points), and an answer larger than `maxResponseBytes` is cut off while
 * it streams in, so a huge or endless body cannot exhaust memory. Both are permanent AttemptFailures.
 */
import { displayUrl } from './endpoint.js';
import { AttemptFailure } from './retry.js';

export const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export function guardedFetch(maxResponseBytes: number): FetchFunction {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const response = await fetch(input, { ...init, redirect: 'manual' });
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel().catch(() => undefined);
      throw redirectFailure(response.status, url, response.headers.get('location'));
    }
    return capBody(response, maxResponseBytes);
  };
}

function redirectFailure(status: number, from: string, location: string | null): AttemptFailure {
  let to = '(no Location header)';
  if (location) {
    try {
      to = displayUrl(new URL(location, from).href);
    } catch {
      to = '(an invalid Location)';
    }
  }
  return new AttemptFailure('redirect', `HTTP ${status} redirect to ${to} not followed: API requests never follow redirects, so keys are sent nowhere else; use the final URL as the endpoint`, status);
}

export function tooLarge(maxBytes: number): AttemptFailure {
  return new AttemptFailure('tooLarge', `the answer is larger than ${maxBytes} bytes (maxResponseBytes / --max-response-mb); reading stopped there`);
}

/** The response with a body that errors (with a tooLarge AttemptFailure) past `maxBytes`. */
function capBody(response: Response, maxBytes: number): Response {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    void response.body?.cancel().catch(() => undefined);
    throw tooLarge(maxBytes);
  }
  if (!response.body) return response;
  let received = 0;
  const counted = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        received += chunk.byteLength;
        if (received > maxBytes) controller.error(tooLarge(maxBytes));
        else controller.enqueue(chunk);
      },
    }),
  );
  return new Response(counted, { status: response.status, statusText: response.statusText, headers: response.headers });
}
