/**
 * Blockwise LR estimator: each query perturbs only one random rectangle whose sides are a relative size
 * `block` of the image's. The rectangle's top-left corner is uniform over positions that let it hang off
 * the image edges (then clipped), so every pixel is covered with the same probability
 *   p = bh·bw / ((H + bh − 1)(W + bw − 1)),
 * and dividing by p keeps the estimate unbiased.
 */
import { invalidArgument } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import type { Shape } from '../core/tensor.js';
import type { GradientSource } from './gradient-source.js';
import { estimateAlongRandomDirections, minimumQueries, validateSettings, type DirectionSettings, type RegionSampler } from './random-directions.js';
import type { Region } from './regions.js';
import { LR_DEFAULTS } from './likelihood-ratio.js';

export interface BlockwiseOptions extends Partial<DirectionSettings> {
  /** Block side as a fraction of the image side, in (0, 1]. */
  block?: number;
}

export const BLOCKWISE_DEFAULTS = { ...LR_DEFAULTS, block: 0.25 };

export function blockSampler(shape: Shape, block: number): RegionSampler {
  if (!(block > 0 && block <= 1)) throw invalidArgument(`block must be in (0, 1], got ${block}`);
  const { height: H, width: W } = shape;
  const bh = Math.max(1, Math.round(block * H));
  const bw = Math.max(1, Math.round(block * W));
  const rows = H + bh - 1;
  const cols = W + bw - 1;
  return {
    coverage: (bh * bw) / (rows * cols),
    maxSize: shape.channels * bh * bw,
    next(rng: Rng): Region {
      const top = rng.nextInt(rows) - (bh - 1);
      const left = rng.nextInt(cols) - (bw - 1);
      const y0 = Math.max(0, top);
      const x0 = Math.max(0, left);
      return { top: y0, left: x0, height: Math.min(H, top + bh) - y0, width: Math.min(W, left + bw) - x0 };
    },
  };
}

export function blockwise(shape: Shape, options: BlockwiseOptions = {}): GradientSource {
  const { block, ...rest } = { ...BLOCKWISE_DEFAULTS, ...options };
  const settings: DirectionSettings = { sigma: rest.sigma, antithetic: rest.antithetic, baseline: rest.baseline, batchSize: rest.batchSize };
  validateSettings(settings);
  const sampler = blockSampler(shape, block);
  return {
    name: 'blockwise',
    minQueries: minimumQueries(settings),
    estimate: (request) => estimateAlongRandomDirections(request, sampler, settings),
  };
}
