/**
 * Per-pixel uncertainty of the random-direction estimators, from the same queries.
 *
 * An LR / blockwise estimate is a mean of n independent terms, one per direction:
 *   ĝ_i = (1/n) Σ_k X_ki,   X_ki = w_k z_ki / (σ² p s_i)
 * (p: the sampler's coverage, s_i: the noise group size; X_ki = 0 where direction k's block missed pixel i —
 * those zeros are part of what the estimator averages, so n counts every direction, not only the covering
 * ones). Its sampling variance is estimated from the running sum S1 = Σ_k w z (already kept for ĝ) and a
 * running sum of squares S2 = Σ_k (w z_i)²:
 *   Var(ĝ_i) ≈ scale_i² (S2_i − S1_i² / n) / (n (n − 1)),   scale_i = 1/(σ² p s_i).
 * A map combines the channels of a pixel, so their covariance matters too. With channel-shared noise the
 * channels of a pixel are one estimate (correlation 1: S2 is kept once per pixel and is exact for every pair);
 * with iid noise they are independent draws whose terms share only the weight w, a covariance of order
 * g_c g_c' against variances of order |g|² (1/d of them on a linear f), which is neglected.
 * Sums of squares are sums over directions like S1, chunked the same way: they merge like sums (byte-identical
 * whatever the batch size or shard split), and never change ĝ's bits. Memory: one more accumulator (d values,
 * or H·W with channel-shared noise), flat in n.
 */
import type { Shape } from '../core/tensor.js';
import type { Region } from './regions.js';

/** Per pixel, the covariance of the estimate between each pair of its channels. */
export interface ChannelCovariance {
  channels: number;
  /** Pixels per channel (H·W). */
  plane: number;
  /** Pairs c ≤ c' in order (0,0), (0,1), …, (1,1), …; pair-major: values[t · plane + pixel]. */
  values: Float64Array;
}

export function channelPairs(channels: number): Array<[number, number]> {
  const pairs: Array<[number, number]> = [];
  for (let c = 0; c < channels; c++) for (let c2 = c; c2 < channels; c2++) pairs.push([c, c2]);
  return pairs;
}

/** Length of the sum-of-squares accumulator: one per value, or one per pixel when channels share the noise. */
export function squaresLength(shape: Shape, sharedChannels: boolean): number {
  return (sharedChannels ? 1 : shape.channels) * shape.height * shape.width;
}

/** acc2[value] += (w z)² over the region (noise in the compact C·h·w region layout; channel 0 only when shared). */
export function accumulateSquares(acc2: Float64Array, noise: Float32Array, weight: number, shape: Shape, r: Region, sharedChannels: boolean): void {
  const { height: H, width: W } = shape;
  const plane = H * W;
  const w2 = weight * weight;
  let k = 0;
  for (let c = 0; c < (sharedChannels ? 1 : shape.channels); c++) {
    for (let y = r.top; y < r.top + r.height; y++) {
      const row = c * plane + y * W + r.left;
      for (let i = 0; i < r.width; i++, k++) {
        const v = noise[k]!;
        acc2[row + i]! += w2 * v * v;
      }
    }
  }
}

/**
 * The covariance of the mean from the sums: `sum` (S1, CHW), `squares` (S2), n terms and the per-value
 * scale (1/(σ² p s_i)). Undefined below two terms (no spread to measure).
 */
export function covarianceOfMean(sum: Float64Array, squares: Float64Array, n: number, scale: (i: number) => number, shape: Shape, sharedChannels: boolean): ChannelCovariance | undefined {
  if (n < 2) return undefined;
  const plane = shape.height * shape.width;
  const pairs = channelPairs(shape.channels);
  const values = new Float64Array(pairs.length * plane);
  const norm = 1 / (n * (n - 1));
  pairs.forEach(([c, c2], t) => {
    if (c !== c2 && !sharedChannels) return; // independent channels (see above)
    for (let p = 0; p < plane; p++) {
      const i = c * plane + p;
      const j = c2 * plane + p;
      const s2 = squares[sharedChannels ? p : i]!;
      values[t * plane + p] = scale(i) * scale(j) * (s2 - (sum[i]! * sum[j]!) / n) * norm;
    }
  });
  return { channels: shape.channels, plane, values };
}

/** The covariance of a ⊙ v given that of v (a: per-value factors, CHW): entry (c, c') scales by a_c a_c'. */
export function scaleCovariance(cov: ChannelCovariance, a: ArrayLike<number>): ChannelCovariance {
  const { plane } = cov;
  const values = new Float64Array(cov.values.length);
  channelPairs(cov.channels).forEach(([c, c2], t) => {
    for (let p = 0; p < plane; p++) values[t * plane + p] = cov.values[t * plane + p]! * a[c * plane + p]! * a[c2 * plane + p]!;
  });
  return { ...cov, values };
}

/**
 * Covariance of (1/m) Σ_k v_k for independent estimates v_k, given each one's covariance; undefined when
 * any estimate has none (a sum is only as known as its least known part).
 */
export function covarianceOfMeanOfIndependent(parts: ReadonlyArray<ChannelCovariance | undefined>): ChannelCovariance | undefined {
  if (parts.length === 0 || parts.some((p) => p === undefined)) return undefined;
  const first = parts[0]!;
  const values = new Float64Array(first.values.length);
  for (const part of parts as ChannelCovariance[]) for (let i = 0; i < values.length; i++) values[i]! += part.values[i]!;
  const m2 = parts.length * parts.length;
  for (let i = 0; i < values.length; i++) values[i]! /= m2;
  return { ...first, values };
}

/** √Var of every value (CHW): the per-channel standard error. */
export function standardErrors(cov: ChannelCovariance): Float32Array {
  const { channels, plane } = cov;
  const out = new Float32Array(channels * plane);
  channelPairs(channels).forEach(([c, c2], t) => {
    if (c !== c2) return;
    for (let p = 0; p < plane; p++) out[c * plane + p] = Math.sqrt(Math.max(0, cov.values[t * plane + p]!));
  });
  return out;
}

/** Integrated Gradients over independent step estimates: Cov((x − b) ⊙ mean_k ĝ_k) = D (Σ_k Cov_k) D / m². */
export function stepsCovariance(steps: ReadonlyArray<ChannelCovariance | undefined>, x: Float32Array, baseline: Float32Array): ChannelCovariance | undefined {
  const mean = covarianceOfMeanOfIndependent(steps);
  return mean && scaleCovariance(mean, Float32Array.from(x, (v, j) => v - baseline[j]!));
}
