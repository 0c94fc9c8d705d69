/**
 * Hard-label black boxes as attacks see them: pixel-space functions f ≤ 0 (see hard-label.ts). Two kinds:
 * a local score model reduced to its top-1 class (what a label API gives), and any model-input-space label
 * objective (e.g. objectives/remote.ts labelFunction on a label API, whose inputs are 0..255 pixels).
 */
import type { BatchFunction } from '../core/batch-function.js';
import { LrsalError } from '../core/errors.js';
import type { Shape } from '../core/tensor.js';
import type { ScoreModel } from '../models/model.js';
import type { PixelMap } from './pixels.js';

/** Distance between two classes (≥ 1 when they differ), e.g. WordNet path distance; default: 1 (the 0/1 signal). */
export type ClassDistance = (predicted: number, truth: number) => number;

/** Top-1 class of each pixel-space image, through the model's own preprocessing. */
export function topClassOracle(model: ScoreModel, map: PixelMap): (images: Float32Array, count: number, signal?: AbortSignal) => Promise<Int32Array> {
  const d = model.inputShape.channels * model.inputShape.height * model.inputShape.width;
  return async (images, count, signal) => {
    const inputs = new Float32Array(count * d);
    for (let i = 0; i < count; i++) inputs.set(map.toInput(images.subarray(i * d, (i + 1) * d)), i * d);
    const out = new Int32Array(count);
    for (let start = 0; start < count; start += model.maxBatch) {
      const n = Math.min(model.maxBatch, count - start);
      const scores = await model.scores(inputs.subarray(start * d, (start + n) * d), n, signal);
      for (let i = 0; i < n; i++) {
        let best = 0;
        for (let k = 1; k < model.classes; k++) if (scores[i * model.classes + k]! > scores[i * model.classes + best]!) best = k;
        out[start + i] = best;
      }
    }
    return out;
  };
}

/** f = −distance(top-1, truth), 0 while the top-1 class is the true one. */
export function classifierHardLabel(
  shape: Shape,
  top1: (images: Float32Array, count: number, signal?: AbortSignal) => Promise<Int32Array>,
  truth: number,
  distance: ClassDistance = () => 1,
): BatchFunction {
  return {
    shape,
    async evaluate(inputs, count, signal) {
      const classes = await top1(inputs, count, signal);
      return Float64Array.from(classes, (c) => {
        if (c === truth) return 0;
        const d = distance(c, truth);
        if (!(d > 0)) throw new LrsalError('MODEL_OUTPUT', `distance between different classes ${c} and ${truth} must be > 0, got ${d}`);
        return -d;
      });
    },
  };
}

/** A model-input-space objective of a black box taking 0..255 pixels (remote label APIs), seen from pixels in [0, 1]. */
export function fromByteScale(f: BatchFunction): BatchFunction {
  return {
    shape: f.shape,
    evaluate: (inputs, count, signal) => f.evaluate(Float32Array.from(inputs, (v) => v * 255), count, signal),
  };
}
