/**
 * From a raw saliency map to display values, as Captum's visualize_image_attr does: choose the sign to show,
 * clip outliers at a percentile of the magnitudes (one hot pixel must not wash out the map), and scale to
 * [0, 1] (sequential) or [−1, 1] (signed). The raw map is never changed; this is for pictures only.
 */
import { LrsalError } from '../core/errors.js';

/** positive / negative: that part only; absolute: magnitudes; all: signed (diverging colours). */
export const SIGNS = ['absolute', 'positive', 'negative', 'all'] as const;
export type SignMode = (typeof SIGNS)[number];

export const DEFAULT_CLIP_PERCENTILE = 99;

export interface ScaledMap {
  /** Display values: [0, 1] for absolute/positive/negative, [−1, 1] for all. */
  values: Float32Array;
  /** The raw value that maps to 1 (the clip threshold), for the colour bar's numbers. */
  scale: number;
  /**
   * The raw magnitude that maps to 0: 0, except for maps with no value near 0 (RISE's are expected scores,
   * all well above 0), whose minimum is shown as the bottom of the scale so the map is not one flat colour.
   */
  floor: number;
  sign: SignMode;
}

/** Magnitudes of the part of `map` that `sign` keeps (negative parts flipped to positive). */
export function signedPart(map: Float32Array, sign: SignMode): Float32Array {
  const out = new Float32Array(map.length);
  for (let i = 0; i < map.length; i++) {
    const v = Number.isFinite(map[i]!) ? map[i]! : 0;
    if (sign === 'positive') out[i] = v > 0 ? v : 0;
    else if (sign === 'negative') out[i] = v < 0 ? -v : 0;
    else out[i] = Math.abs(v);
  }
  return out;
}

/**
 * The `percentile`-th percentile (0–100, linear interpolation) of the non-zero entries of a non-negative array;
 * zeros are left out so that a map that is mostly empty (a sign with few pixels) still gets a useful scale.
 */
export function percentileOfNonZero(values: Float32Array, percentile: number): number {
  const nonZero = values.filter((v) => v > 0).sort();
  if (nonZero.length === 0) return 0;
  const x = (Math.min(100, Math.max(0, percentile)) / 100) * (nonZero.length - 1);
  const i = Math.floor(x);
  const j = Math.min(nonZero.length - 1, i + 1);
  return nonZero[i]! + (nonZero[j]! - nonZero[i]!) * (x - i);
}

/** Raw magnitudes shown as 0 and as full colour: the clip percentile on top, a floor for maps far from 0. */
export function displayRange(map: Float32Array, sign: SignMode = 'absolute', clip = DEFAULT_CLIP_PERCENTILE): { scale: number; floor: number } {
  if (!(clip > 0 && clip <= 100)) throw new LrsalError('INVALID_ARGUMENT', `clip percentile must be in (0, 100], got ${clip}`);
  const magnitudes = signedPart(map, sign);
  const scale = percentileOfNonZero(magnitudes, clip);
  let floor = 0;
  if (sign !== 'all') {
    floor = Infinity;
    for (const m of magnitudes) if (m < floor) floor = m;
    // Only a floor well above 0 is worth moving the scale for; gradient maps keep 0 at the bottom.
    if (!(floor > 0.1 * scale && floor < scale)) floor = 0;
  }
  return { scale, floor };
}

/**
 * Scale a raw map for display: sign, percentile clip (default 99), then map [floor, clip value] to [0, 1].
 * `range` fixes both instead (measured on the model-resolution map, or shared by several images).
 */
export function scaleForDisplay(map: Float32Array, sign: SignMode = 'absolute', clip = DEFAULT_CLIP_PERCENTILE, range?: { scale: number; floor?: number }): ScaledMap {
  const { scale, floor = 0 } = range ?? displayRange(map, sign, clip);
  if (!(clip > 0 && clip <= 100)) throw new LrsalError('INVALID_ARGUMENT', `clip percentile must be in (0, 100], got ${clip}`);
  const magnitudes = signedPart(map, sign);
  const values = new Float32Array(map.length);
  const width = scale - floor;
  if (width > 0) {
    for (let i = 0; i < map.length; i++) {
      const m = Math.min(1, Math.max(0, (magnitudes[i]! - floor) / width));
      values[i] = sign === 'all' && map[i]! < 0 ? -m : m;
    }
  }
  return { values, scale, floor, sign };
}

/**
 * Gaussian blur of an H×W map (separable, edges clamped), for display only: the saved raw map is never
 * smoothed. σ in map pixels; σ ≤ 0 returns a copy.
 */
export function smoothForDisplay(map: Float32Array, height: number, width: number, sigma: number): Float32Array {
  if (!(sigma > 0)) return Float32Array.from(map);
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const kernel = new Float32Array(2 * radius + 1);
  let total = 0;
  for (let k = -radius; k <= radius; k++) total += kernel[k + radius] = Math.exp(-(k * k) / (2 * sigma * sigma));
  for (let k = 0; k < kernel.length; k++) kernel[k]! /= total;
  const pass = (src: Float32Array, horizontal: boolean) => {
    const dst = new Float32Array(src.length);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let sum = 0;
        for (let k = -radius; k <= radius; k++) {
          const xx = horizontal ? Math.min(width - 1, Math.max(0, x + k)) : x;
          const yy = horizontal ? y : Math.min(height - 1, Math.max(0, y + k));
          sum += kernel[k + radius]! * src[yy * width + xx]!;
        }
        dst[y * width + x] = sum;
      }
    }
    return dst;
  };
  return pass(pass(map, true), false);
}
