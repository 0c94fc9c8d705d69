/**
 * One estimate of the path integral ∫₀¹ ∇f(b + α(x − b)) dα from one budget (GEEX's integrated estimator,
 * caiy0220/GEEX, rewritten): every direction z_k is a noise sample at its own random path point
 * p_k = b + α_k(x − b), and all directions form a single likelihood-ratio average
 *   ∫∇f ≈ 1/(K σ² p) Σ_k w_k z_k,   w_k = f(p_k + z_k) − c(α_k)   (or the antithetic half-difference),
 * instead of m fixed steps that each get a share of the budget.
 * - α_k is stratified: α_k = (k + u_k)/K with u_k ~ U(0,1), k the direction's index in the estimate. Each α_k
 *   is uniform on its stratum, so the average is unbiased for the integral, with less variance than iid α.
 * - Baseline subtraction: c may be any function of α that does not depend on z (E[z] = 0 keeps the estimate
 *   unbiased). Here c is the piecewise-linear interpolation of f at `anchors` + 1 evenly spaced path points
 *   α = i/anchors, queried once up front: close to f(p_k), so it removes most of the f·z variance.
 *   Antithetic pairs need no c; an odd budget's last single direction uses the mean of the pairs' centres.
 * - Streaming and deterministic: directions come in chunks of CHUNK_DIRECTIONS with their own derived random
 *   streams, summed in order into Float64 partials: the same bits whatever the batch size.
 * - Exact budget: anchors + directions (pairs count twice) = the queries given.
 */
import { LrsalError, invalidArgument, requireInteger } from '../core/errors.js';
import { sizeOf, type Shape } from '../core/tensor.js';
import type { GradientEstimate, PathGradientRequest } from './gradient-source.js';
import { CHUNK_DIRECTIONS, chunkCount } from './chunks.js';
import { noiseLayout } from './noise-shapes.js';
import { addInto, validateSettings, type DirectionSettings, type RegionSampler } from './random-directions.js';
import { accumulateRegions, type Region } from './regions.js';
import { accumulateSquares, covarianceOfMean, squaresLength } from './standard-error.js';

/** Anchor queries (f on the path, for baseline subtraction) an estimate with these settings makes. */
export function pathAnchorQueries(settings: Pick<DirectionSettings, 'antithetic' | 'baseline'>, anchors: number): number {
  return !settings.antithetic && settings.baseline ? anchors + 1 : 0;
}

/** The smallest budget: the anchors and one direction (a pair when antithetic). */
export function pathMinimumQueries(settings: Pick<DirectionSettings, 'antithetic' | 'baseline'>, anchors: number): number {
  return settings.antithetic ? 2 : pathAnchorQueries(settings, anchors) + 1;
}

interface PathDirection {
  alpha: number;
  region: Region;
  noise: Float32Array;
  plus: number;
  minus: number;
}

export async function estimateAlongPath(request: PathGradientRequest, sampler: RegionSampler, settings: DirectionSettings): Promise<GradientEstimate> {
  validateSettings(settings);
  const { f, from, to, signal } = request;
  const shape: Shape = f.shape;
  const d = sizeOf(shape);
  if (from.length !== d || to.length !== d) throw new LrsalError('MODEL_SHAPE', `path ends have ${from.length} and ${to.length} values; the function takes ${d}`);
  const anchors = requireInteger('path anchors', request.anchors, 1);
  const estimate = requireInteger('estimate index', request.estimate ?? 0, 0);
  const queries = requireInteger('queries', request.queries, 0);
  if (queries < pathMinimumQueries(settings, anchors)) {
    throw invalidArgument(`a path-integral estimate needs at least ${pathMinimumQueries(settings, anchors)} queries with these settings, got ${queries}`);
  }
  // As in random-directions.ts: one word of the caller's stream per estimate, and the estimate keys its chunks' streams.
  const streams = request.rng.derive([estimate]);
  request.rng.nextUint32();
  const delta = Float32Array.from(to, (v, j) => v - from[j]!);
  const writePoint = (out: Float32Array, offset: number, alpha: number) => {
    for (let j = 0; j < d; j++) out[offset + j] = from[j]! + alpha * delta[j]!;
  };
  const slots = Math.max(settings.batchSize, settings.antithetic ? 2 : 1);
  const inputs = new Float32Array(slots * d);

  // Anchors: f at α = i/anchors, in batches (values do not depend on how they are batched).
  const anchorCount = pathAnchorQueries(settings, anchors);
  const anchorValues = new Float64Array(anchorCount);
  for (let first = 0; first < anchorCount; first += slots) {
    if (signal?.aborted) throw new LrsalError('ABORTED', 'estimate aborted');
    const n = Math.min(slots, anchorCount - first);
    for (let i = 0; i < n; i++) writePoint(inputs, i * d, (first + i) / anchors);
    anchorValues.set(await f.evaluate(inputs.subarray(0, n * d), n, signal), first);
  }
  const interpolated = (alpha: number): number => {
    const t = alpha * anchors;
    const i = Math.min(anchors - 1, Math.floor(t));
    return anchorValues[i]! + (t - i) * (anchorValues[i + 1]! - anchorValues[i]!);
  };

  const remaining = queries - anchorCount;
  const pairs = settings.antithetic ? Math.floor(remaining / 2) : 0;
  const total = pairs + (remaining - 2 * pairs);
  const layout = noiseLayout(shape, settings.noise, settings.tile);
  const scratch = new Float32Array(layout.isotropic ? 0 : sampler.maxSize);
  const noisePool = Array.from({ length: slots }, () => new Float32Array(sampler.maxSize));
  const acc = new Float64Array(d);
  const chunkAcc = new Float64Array(d);
  // Sums of squares for the standard error (standard-error.ts). The terms are independent but stratified in α,
  // so the iid formula over-states the spread a little: a conservative standard error.
  const shared = settings.noise === 'channel-shared';
  const squares = new Float64Array(squaresLength(shape, shared));
  const chunkSquares = new Float64Array(squares.length);
  // Sum of the pairs' centres (f(p+z) + f(p−z))/2, in direction order: the baseline of an odd budget's last single.
  let centreSum = 0;

  for (let chunk = 0; chunk < chunkCount(total); chunk++) {
    const first = chunk * CHUNK_DIRECTIONS;
    const end = Math.min(total, first + CHUNK_DIRECTIONS);
    const rng = streams.derive([chunk]);
    chunkAcc.fill(0);
    chunkSquares.fill(0);
    for (let done = first; done < end; ) {
      if (signal?.aborted) throw new LrsalError('ABORTED', 'estimate aborted');
      const batch: PathDirection[] = [];
      let used = 0;
      while (done + batch.length < end) {
        const k = done + batch.length;
        const isPair = k < pairs;
        if (used + (isPair ? 2 : 1) > slots) break;
        const alpha = (k + rng.nextFloat()) / total;
        const region = sampler.next(rng);
        const noise = noisePool[batch.length]!;
        layout.draw(rng, noise, region, settings.sigma, scratch);
        const plus = used++;
        const minus = isPair ? used++ : -1;
        for (const slot of isPair ? [plus, minus] : [plus]) addRegion(inputs, slot * d, noise, slot === minus ? -1 : 1, shape, region, () => writePoint(inputs, slot * d, alpha));
        batch.push({ alpha, region, noise, plus, minus });
      }
      const values = await f.evaluate(inputs.subarray(0, used * d), used, signal);
      const weights = batch.map((dir) => {
        const up = values[dir.plus]!;
        if (dir.minus >= 0) {
          centreSum += (up + values[dir.minus]!) / 2;
          return (up - values[dir.minus]!) / 2;
        }
        if (settings.antithetic) return up - centreSum / pairs;
        return settings.baseline ? up - interpolated(dir.alpha) : up;
      });
      accumulateRegions(chunkAcc, batch.map((dir) => dir.noise), weights, shape, batch.map((dir) => dir.region));
      batch.forEach((dir, k) => accumulateSquares(chunkSquares, dir.noise, weights[k]!, shape, dir.region, shared));
      done += batch.length;
    }
    addInto(acc, chunkAcc);
    addInto(squares, chunkSquares);
  }

  const scale = 1 / (total * settings.sigma * settings.sigma * sampler.coverage);
  const gradient = new Float32Array(d);
  const sizes = layout.isotropic ? undefined : layout.groupSizes();
  for (let i = 0; i < d; i++) gradient[i] = (acc[i]! * scale) / (sizes ? sizes[i]! : 1);
  const termScale = 1 / (settings.sigma * settings.sigma * sampler.coverage);
  const covariance = covarianceOfMean(acc, squares, total, sizes ? (i) => termScale / sizes[i]! : () => termScale, shape, shared);
  return { gradient, queries, ...(covariance ? { covariance } : {}) };
}

/** Write the path point (whole input), then add sign·noise inside the region (noise in compact C·h·w layout). */
function addRegion(out: Float32Array, offset: number, noise: Float32Array, sign: number, shape: Shape, r: Region, writePoint: () => void): void {
  writePoint();
  const { height: H, width: W } = shape;
  let k = 0;
  for (let c = 0; c < shape.channels; c++) {
    for (let y = r.top; y < r.top + r.height; y++) {
      const start = offset + c * H * W + y * W + r.left;
      for (let i = 0; i < r.width; i++) out[start + i]! += sign * noise[k++]!;
    }
  }
}
