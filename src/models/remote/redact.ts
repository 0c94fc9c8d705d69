/**
 * What remote code may show a user: URLs without their user:password part, and remote text (error bodies,
 * parse errors) with every API key in use blanked out — an endpoint may echo the key it was sent.
 */

/** API keys read by adapters in this process (see apiKeyFromEnv); never shown. */
const secrets = new Set<string>();

/** Remember a secret so that `redact` blanks it wherever it appears. Very short values are not secrets worth hiding (and would blank ordinary text). */
export function registerSecret(secret: string | undefined): void {
  if (secret && secret.length >= 6) secrets.add(secret);
}

/** `text` with user:password@ in URLs replaced by ***@ and each registered secret (also URL-encoded) by ***. */
export function redact(text: string): string {
  let out = text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*@/gi, '$1***@');
  for (const secret of secrets) {
    out = out.split(secret).join('***');
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) out = out.split(encoded).join('***');
  }
  return out;
}
