/** Closest names to a mistyped target, by edit distance on lower-cased text (for "did you mean" hints). */

/** Up to `k` distinct names nearest to `text`, nearest first; ties keep the input order. */
export function closestNames(text: string, names: readonly string[], k: number): string[] {
  const query = text.toLowerCase().replace(/[_\s]+/g, ' ').trim();
  const seen = new Set<string>();
  const scored: Array<{ name: string; distance: number }> = [];
  for (const name of names) {
    const shown = name.replace(/_/g, ' ');
    if (seen.has(shown)) continue;
    seen.add(shown);
    scored.push({ name: shown, distance: editDistance(query, shown.toLowerCase()) });
  }
  return scored
    .sort((a, b) => a.distance - b.distance)
    .slice(0, k)
    .map((s) => s.name);
}

/** Levenshtein distance (insert, delete, substitute: cost 1 each), one row at a time. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
