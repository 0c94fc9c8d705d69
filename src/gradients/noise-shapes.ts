/**
 * Structured noise for the random-direction estimators: each direction is drawn in a lower-dimensional
 * space of m "groups" and expanded to the input, z = σ R u with u ~ N(0, I_m) and R replicating one
 * coefficient over its group of input values:
 *   'iid'            one group per value (m = d): plain isotropic noise;
 *   'channel-shared' one coefficient per pixel, the same in every channel (m = d / C);
 *   tile t > 1       one coefficient per t×t square of the image grid (low-frequency, piecewise constant).
 * E[(f(x+z) − f(x)) z] / σ² ≈ R Rᵀ ∇f, so dividing each value by its group size gives P ∇f, the mean of
 * the gradient over each group: an unbiased estimate of the gradient's projection onto the noise subspace,
 * hence a BIASED estimate of the full gradient (cosine to it at most |P∇f|/|∇f|). What it buys: the
 * variance of an m-dimensional problem, i.e. cosine ≈ √(n/(n+m)) · |P∇f|/|∇f| instead of √(n/(n+d)).
 * Group sums are preserved, so the channel-summed map of channel-shared noise is unbiased.
 * Groups are aligned to the image grid (not to the region), so regions must cover whole groups:
 * the blockwise sampler snaps blocks to the tile grid.
 */
import { invalidArgument } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import type { Shape } from '../core/tensor.js';
import { expandTiles, type Region } from './regions.js';

export const NOISE_SHAPES = ['iid', 'channel-shared'] as const;
export type NoiseShape = (typeof NOISE_SHAPES)[number];

export interface NoiseLayout {
  /** True when every value is its own group (plain isotropic noise: the fast path). */
  readonly isotropic: boolean;
  /** Number of groups m: the dimension the estimate effectively lives in. */
  readonly dimension: number;
  /** Largest coefficient count of one region. */
  coefficients(region: Region): number;
  /** Draw the region's noise (compact C·h·w layout) with per-value standard deviation σ. */
  draw(rng: Rng, out: Float32Array, region: Region, sigma: number, scratch: Float32Array): void;
  /** Group size of every input value (CHW), the divisor that turns R Rᵀ∇f into P∇f. */
  groupSizes(): Float32Array;
}

export function validateNoise(noise: string, tile: number): void {
  if (!(NOISE_SHAPES as readonly string[]).includes(noise)) throw invalidArgument(`noise must be one of ${NOISE_SHAPES.join(', ')}, got ${noise}`);
  if (!(Number.isInteger(tile) && tile >= 1)) throw invalidArgument(`tile must be an integer ≥ 1, got ${tile}`);
}

export function noiseLayout(shape: Shape, noise: NoiseShape, tile: number): NoiseLayout {
  validateNoise(noise, tile);
  const { channels: C, height: H, width: W } = shape;
  const shared = noise === 'channel-shared';
  const cg = shared ? 1 : C;
  const isotropic = !shared && tile === 1;
  const span = (start: number, length: number) => Math.floor((start + length - 1) / tile) - Math.floor(start / tile) + 1;
  return {
    isotropic,
    dimension: cg * Math.ceil(H / tile) * Math.ceil(W / tile),
    coefficients: (r) => cg * span(r.top, r.height) * span(r.left, r.width),
    draw(rng, out, r, sigma, scratch) {
      const size = C * r.height * r.width;
      if (isotropic) {
        rng.fillNormal(out, 0, size, sigma);
        return;
      }
      const th = span(r.top, r.height);
      const tw = span(r.left, r.width);
      rng.fillNormal(scratch, 0, cg * th * tw, sigma);
      expandTiles(out, scratch, C, r, tile, shared);
    },
    groupSizes() {
      const sizes = new Float32Array(C * H * W);
      for (let y = 0; y < H; y++) {
        const th = Math.min(H, (Math.floor(y / tile) + 1) * tile) - Math.floor(y / tile) * tile;
        for (let x = 0; x < W; x++) {
          const tw = Math.min(W, (Math.floor(x / tile) + 1) * tile) - Math.floor(x / tile) * tile;
          for (let c = 0; c < C; c++) sizes[c * H * W + y * W + x] = th * tw * (shared ? C : 1);
        }
      }
      return sizes;
    },
  };
}

/** P v: v averaged over each noise group (what a structured-noise estimate converges to). */
export function projectOntoNoise(v: ArrayLike<number>, shape: Shape, noise: NoiseShape, tile: number): Float32Array {
  validateNoise(noise, tile);
  const { channels: C, height: H, width: W } = shape;
  const shared = noise === 'channel-shared';
  const th = Math.ceil(H / tile);
  const tw = Math.ceil(W / tile);
  const cg = shared ? 1 : C;
  const sums = new Float64Array(cg * th * tw);
  const counts = new Float64Array(cg * th * tw);
  const group = (c: number, y: number, x: number) => ((shared ? 0 : c) * th + Math.floor(y / tile)) * tw + Math.floor(x / tile);
  for (let c = 0; c < C; c++)
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const g = group(c, y, x);
        sums[g]! += v[(c * H + y) * W + x]!;
        counts[g]!++;
      }
  const out = new Float32Array(C * H * W);
  for (let c = 0; c < C; c++)
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const g = group(c, y, x);
        out[(c * H + y) * W + x] = sums[g]! / counts[g]!;
      }
  return out;
}
