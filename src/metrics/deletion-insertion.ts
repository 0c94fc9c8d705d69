/**
 * Deletion and insertion curves (RISE protocol): remove (deletion) or add (insertion) pixels in order of
 * saliency, a fixed number per step, and follow the probability of the explained class. Deletion sets
 * pixels to zero in model-input space; insertion starts from a blurred copy and puts original pixels back.
 * AUC: trapezoid rule over the curve, normalised to [0, 1] by the x range. Low deletion and high
 * insertion mean the map found the pixels the model uses.
 */
import type { BatchFunction } from '../core/batch-function.js';
import { invalidArgument } from '../core/errors.js';

export interface CurveOptions {
  /** Pixels changed per step (default: the image width, i.e. 224 steps for 224×224, as RISE). */
  pixelsPerStep?: number;
  batchSize?: number;
}

export interface Curve {
  /** Class probability after 0, 1, … steps. */
  values: number[];
  auc: number;
}

/** Pixel indices, most salient first (ties keep index order, so the result is deterministic). */
export function saliencyOrder(map: Float32Array): Uint32Array {
  return Uint32Array.from(Array.from({ length: map.length }, (_, i) => i).sort((a, b) => map[b]! - map[a]! || a - b));
}

export function auc(values: readonly number[]): number {
  if (values.length < 2) return values[0] ?? 0;
  let s = 0;
  for (let i = 0; i + 1 < values.length; i++) s += (values[i]! + values[i + 1]!) / 2;
  return s / (values.length - 1);
}

/**
 * Walk from `start` to `end` pixel by pixel in saliency order: deletion is (x → zeros), insertion is
 * (blurred → x). `probability` is f = class probability (queries spent here are evaluation, not map budget).
 */
export async function pixelCurve(probability: BatchFunction, start: Float32Array, end: Float32Array, map: Float32Array, options: CurveOptions = {}): Promise<Curve> {
  const { channels, height, width } = probability.shape;
  const plane = height * width;
  if (map.length !== plane) throw invalidArgument(`map has ${map.length} values; the image has ${plane} pixels`);
  const perStep = options.pixelsPerStep ?? width;
  const batch = options.batchSize ?? 8;
  const order = saliencyOrder(map);
  const steps = Math.ceil(plane / perStep);
  const current = Float32Array.from(start);
  const values: number[] = [];
  const d = current.length;
  const inputs = new Float32Array(batch * d);
  for (let s = 0; s <= steps; ) {
    const n = Math.min(batch, steps + 1 - s);
    for (let i = 0; i < n; i++, s++) {
      if (s > 0) {
        for (let k = (s - 1) * perStep; k < Math.min(plane, s * perStep); k++) {
          const p = order[k]!;
          for (let c = 0; c < channels; c++) current[c * plane + p] = end[c * plane + p]!;
        }
      }
      inputs.set(current, i * d);
    }
    const out = await probability.evaluate(inputs.subarray(0, n * d), n);
    values.push(...out);
  }
  return { values, auc: auc(values) };
}
