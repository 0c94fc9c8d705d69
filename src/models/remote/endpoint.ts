/** An endpoint URL checked before any query: http(s) only, and no user:password in it (fetch refuses them, and they would be printed). */
import { invalidArgument } from '../../core/errors.js';
import { redact } from './redact.js';

/** Returns `url` unchanged when usable; otherwise INVALID_ARGUMENT naming `name` and the (redacted) URL. */
export function checkEndpoint(url: string, name = 'endpoint'): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidArgument(`${name} "${redact(url)}" is not a valid URL (expected http://host:port/...)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw invalidArgument(`${name} "${redact(url)}" must start with http:// or https://`);
  }
  if (parsed.username || parsed.password) {
    throw invalidArgument(
      `${name} "${redact(url)}" has a user name or password in it; credentials are never sent from a URL: pass the API key through its environment variable`,
    );
  }
  return url;
}

/** The endpoint without query string or user info: what errors and stats may show. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return redact(url.split('?')[0]!);
  }
}
