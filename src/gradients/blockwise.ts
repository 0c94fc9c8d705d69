/**
 * Blockwise LR estimator: each query perturbs only one random rectangle whose sides are a relative size
 * `block` of the image's. The rectangle's top-left corner is uniform over positions that let it hang off
 * the image edges (then clipped), so every pixel is covered with the same probability
 *   p = bh·bw / ((H + bh − 1)(W + bw − 1)),
 * and dividing by p keeps the estimate unbiased. With tiled noise (tile t > 1) the same happens on the
 * grid of t×t tiles, so that blocks always hold whole tiles (see noise-shapes.ts).
 */
import { invalidArgument } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import type { Shape } from '../core/tensor.js';
import { estimateAlongPath, pathMinimumQueries } from './path-integral.js';
import { estimateAlongRandomDirections, minimumQueries, validateSettings, type RandomDirectionSource, type DirectionSettings, type RegionSampler } from './random-directions.js';
import type { Region } from './regions.js';
import { LR_DEFAULTS } from './likelihood-ratio.js';

export interface BlockwiseOptions extends Partial<DirectionSettings> {
  /** Block side as a fraction of the image side, in (0, 1]. */
  block?: number;
}

export const BLOCKWISE_DEFAULTS = { ...LR_DEFAULTS, block: 0.25 };

export function blockSampler(shape: Shape, block: number, tile = 1): RegionSampler {
  if (!(block > 0 && block <= 1)) throw invalidArgument(`block must be in (0, 1], got ${block}`);
  // Work on the grid of tiles (cells of 1 pixel when tile = 1), then scale back to pixels.
  const H = Math.ceil(shape.height / tile);
  const W = Math.ceil(shape.width / tile);
  const bh = Math.max(1, Math.round(block * H));
  const bw = Math.max(1, Math.round(block * W));
  const rows = H + bh - 1;
  const cols = W + bw - 1;
  return {
    coverage: (bh * bw) / (rows * cols),
    maxSize: shape.channels * Math.min(shape.height, bh * tile) * Math.min(shape.width, bw * tile),
    next(rng: Rng): Region {
      const top = rng.nextInt(rows) - (bh - 1);
      const left = rng.nextInt(cols) - (bw - 1);
      const y0 = Math.max(0, top) * tile;
      const x0 = Math.max(0, left) * tile;
      const y1 = Math.min(shape.height, Math.min(H, top + bh) * tile);
      const x1 = Math.min(shape.width, Math.min(W, left + bw) * tile);
      return { top: y0, left: x0, height: y1 - y0, width: x1 - x0 };
    },
  };
}

export function blockwise(shape: Shape, options: BlockwiseOptions = {}): RandomDirectionSource {
  const { block, ...rest } = { ...BLOCKWISE_DEFAULTS, ...options };
  const settings: DirectionSettings = { sigma: rest.sigma, antithetic: rest.antithetic, baseline: rest.baseline, batchSize: rest.batchSize, noise: rest.noise, tile: rest.tile };
  validateSettings(settings);
  const sampler = blockSampler(shape, block, settings.tile);
  return {
    name: 'blockwise',
    settings,
    minQueries: minimumQueries(settings),
    estimate: (request, control) => estimateAlongRandomDirections(request, sampler, settings, control),
    estimatePath: (request) => estimateAlongPath(request, sampler, settings),
    pathMinQueries: (anchors) => pathMinimumQueries(settings, anchors),
  };
}
