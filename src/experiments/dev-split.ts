/**
 * The fixed split of the dev photos into a "tune" half (settings may be chosen on it) and a "report" half
 * (claims are measured on it only), issue 17. The rule is written in docs/dev-split.md and must never change:
 * a photo belongs to "tune" when the 32-bit FNV-1a hash of its file name's UTF-8 bytes is even, else "report".
 */
export type DevHalf = 'tune' | 'report';

/** 32-bit FNV-1a over the UTF-8 bytes of s (offset basis 2166136261, prime 16777619). */
export function fnv1a32(s: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(s)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** Which half a dev photo belongs to, by its file name only (e.g. "n01440764_tench.jpg", no directory). */
export function devSplit(file: string): DevHalf {
  const name = file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
  return fnv1a32(name) % 2 === 0 ? 'tune' : 'report';
}

/** The entries of one half (all when `half` is undefined) in their given order, then the first `limit` of them. */
export function selectHalf<T extends { file: string }>(entries: readonly T[], half: DevHalf | undefined, limit?: number): T[] {
  const kept = half ? entries.filter((e) => devSplit(e.file) === half) : [...entries];
  return limit ? kept.slice(0, limit) : kept;
}
