/**
 * Map values to colours for heatmaps. Normalisation clips at a high percentile so one extreme pixel
 * (common with noisy estimates) does not wash out the rest of the map.
 */

// Inferno, sampled at 9 points (matplotlib); linear interpolation between them is close enough for display.
const INFERNO: ReadonlyArray<readonly [number, number, number]> = [
  [0, 0, 4], [31, 12, 72], [85, 15, 109], [136, 34, 106], [186, 54, 85],
  [227, 89, 51], [249, 140, 10], [249, 201, 50], [252, 255, 164],
];

/** RGB of t ∈ [0, 1] on the inferno colormap. */
export function inferno(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, t)) * (INFERNO.length - 1);
  const i = Math.min(INFERNO.length - 2, Math.floor(x));
  const f = x - i;
  const a = INFERNO[i]!;
  const b = INFERNO[i + 1]!;
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

/** Scale a non-negative map to [0, 1], clipping at the given percentile (default 99). */
export function normaliseMap(map: Float32Array, percentile = 99): Float32Array {
  const sorted = Float32Array.from(map).sort();
  const hi = sorted[Math.min(sorted.length - 1, Math.floor((percentile / 100) * (sorted.length - 1)))] ?? 0;
  const lo = sorted[0] ?? 0;
  const out = new Float32Array(map.length);
  const range = hi - lo;
  if (!(range > 0)) return out;
  for (let i = 0; i < map.length; i++) out[i] = Math.min(1, Math.max(0, (map[i]! - lo) / range));
  return out;
}
