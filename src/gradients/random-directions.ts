/**
 * The engine behind the likelihood-ratio and blockwise estimators.
 *
 * For random directions z_k (Gaussian noise, zero outside a region), query f(x + z_k) — and f(x − z_k)
 * for antithetic pairs — and estimate ∇f(x) ≈ 1/(K σ² p) Σ_k w_k z_k, with
 *   w_k = f(x+z_k) − f(x)            (baseline subtraction: removes the f(x)·z term, the dominant variance at small σ)
 *   w_k = (f(x+z_k) − f(x−z_k)) / 2  (antithetic pair)
 *   w_k = f(x+z_k)                   (plain Eq. 2)
 * and p the probability that a given pixel lies inside the region (1 for plain LR), which keeps the
 * blockwise estimate unbiased. Sums stream into one Float64 accumulator: memory does not grow with K.
 * Directions come in chunks of CHUNK_DIRECTIONS, each with its own random stream and Float64 partial sum
 * added to the total in chunk order (chunks.ts): the result does not depend on batch size, and chunks can be
 * computed by different shards and merged into the same bits.
 * Structured noise (noise-shapes.ts) draws z in fewer dimensions and divides each value by its group size
 * at the end: the estimate is then of the gradient's projection onto the noise subspace.
 * A control variate (prior-guided.ts) subtracts a known part c·(v·z) of each weight.
 */
import { LrsalError, invalidArgument, requireInteger, requirePositive } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import { sizeOf, type Shape } from '../core/tensor.js';
import type { GradientEstimate, GradientRequest, GradientSource } from './gradient-source.js';
import { noiseLayout, validateNoise, type NoiseShape } from './noise-shapes.js';
import { CHUNK_DIRECTIONS, chunkCount } from './chunks.js';
import { accumulateRegions, directionBuffers, restoreRegion, writePerturbed, type Region } from './regions.js';
import { accumulateSquares, covarianceOfMean, squaresLength } from './standard-error.js';

export interface DirectionSettings {
  /** Noise standard deviation, in model-input units. */
  sigma: number;
  /** Query x ± z in pairs. */
  antithetic: boolean;
  /** Subtract f(x) from every single-sided query. */
  baseline: boolean;
  /** Model queries per call to f. */
  batchSize: number;
  /** Noise shape: 'iid' or 'channel-shared' (one draw per pixel for all channels). See noise-shapes.ts. */
  noise: NoiseShape;
  /** Noise constant on tile×tile squares of the image grid; 1 = per pixel. */
  tile: number;
}

/** A known linear part of f along v: each weight loses slope·(v·z) (v: unit vector, CHW). */
export interface ControlVariate {
  direction: Float32Array;
  slope: number;
}

/** LR and blockwise: a gradient source that also takes a control variate and exposes its settings. */
export interface RandomDirectionSource extends GradientSource {
  readonly settings: DirectionSettings;
  estimate(request: GradientRequest, control?: ControlVariate): Promise<GradientEstimate>;
}

/** Where the noise of one direction goes. */
export interface RegionSampler {
  /** Draw the next region (may consume randomness). */
  next(rng: Rng): Region;
  /** Probability that any given pixel is inside a drawn region (the same for every pixel). */
  readonly coverage: number;
  /** Largest region this sampler draws, in values (C·h·w). */
  readonly maxSize: number;
}

interface Direction {
  region: Region;
  noise: Float32Array;
  /** Slot of x+z in the batch; slot of x−z for pairs. */
  plus: number;
  minus: number;
}

export function validateSettings(s: DirectionSettings): void {
  requirePositive('sigma', s.sigma);
  requireInteger('batch size', s.batchSize, 1);
  validateNoise(s.noise, s.tile);
}

/** The smallest budget an estimate needs: one direction, plus f(x) when it must be queried. */
export function minimumQueries(s: Pick<DirectionSettings, 'antithetic' | 'baseline'>): number {
  return s.antithetic ? 2 : s.baseline ? 2 : 1;
}

export async function estimateAlongRandomDirections(
  request: GradientRequest,
  sampler: RegionSampler,
  settings: DirectionSettings,
  control?: ControlVariate,
): Promise<GradientEstimate> {
  validateSettings(settings);
  const { f, x, signal, chunks: ledger } = request;
  const estimate = requireInteger('estimate index', request.estimate ?? 0, 0);
  const shape = f.shape;
  const d = sizeOf(shape);
  if (x.length !== d) throw new LrsalError('MODEL_SHAPE', `point has ${x.length} values; the function takes ${d}`);
  // Each estimate takes one word of the caller's stream (so repeated calls with one Rng differ) and keys its chunks' streams.
  const streams = request.rng.derive([estimate]);
  request.rng.nextUint32();
  let remaining = requireInteger('queries', request.queries, 0);
  // Queries this estimate stands for, wherever they were spent (the same in a single run and a merged one).
  let spent = 0;

  let fx = request.valueAtX;
  const needsFx = settings.antithetic ? remaining % 2 === 1 : settings.baseline;
  if (needsFx && fx === undefined) {
    if (remaining < 1) throw budgetTooSmall(request.queries, settings);
    fx = ledger?.value(estimate);
    if (fx === undefined && (!ledger || ledger.computesValue(estimate))) {
      fx = (await f.evaluate(x, 1, signal))[0]!;
      ledger?.recordValue(estimate, fx);
    }
    remaining -= 1;
    spent += 1;
  }
  const pairs = settings.antithetic ? Math.floor(remaining / 2) : 0;
  const singles = remaining - 2 * pairs;
  const total = pairs + singles;
  if (total === 0) throw budgetTooSmall(request.queries, settings);
  const chunkTotal = chunkCount(total);
  ledger?.plan(estimate, chunkTotal);

  const slots = Math.max(settings.batchSize, settings.antithetic ? 2 : 1);
  // Inputs, a copy of x, the noise pool and the chunk's accumulator share one kernel arena: the SIMD kernels run in place.
  // Two sets of `slots` inputs and noises: one being answered by the model, one being drawn.
  const buffers = directionBuffers(x, 2 * slots, sampler.maxSize);
  const { inputs, base, noise: noisePool, acc: chunkAcc } = buffers;
  const acc = new Float64Array(d);
  // Sums of squares of the per-direction terms (standard-error.ts): the estimate's covariance, from the same queries.
  const shared = settings.noise === 'channel-shared';
  const squares = new Float64Array(squaresLength(shape, shared));
  const chunkSquares = new Float64Array(squares.length);
  let squaresKnown = true;
  const lastRegion: Array<Region | undefined> = new Array(2 * slots);
  const layout = noiseLayout(shape, settings.noise, settings.tile);
  const scratch = new Float32Array(layout.isotropic ? 0 : sampler.maxSize);

  try {
    for (let chunk = 0; chunk < chunkTotal; chunk++) {
      const first = chunk * CHUNK_DIRECTIONS;
      const end = Math.min(total, first + CHUNK_DIRECTIONS);
      const queries = (end - first) + Math.max(0, Math.min(end, pairs) - first);
      spent += queries;
      let partial = ledger?.lookup(estimate, chunk);
      let partialSquares = partial === undefined ? undefined : ledger?.lookupSquares?.(estimate, chunk);
      if (partial === undefined) {
        if (ledger && !ledger.computes(estimate, chunk)) continue;
        if (needsFx && fx === undefined) throw new LrsalError('SHARD_INCOMPLETE', `chunk ${chunk} of estimate ${estimate} needs f(x), which no shard has queried`);
        chunkAcc.fill(0);
        chunkSquares.fill(0);
        const rng = streams.derive([chunk]);
        // Fill buffer set `set` with the next whole directions of this chunk, drawn in order.
        const prepare = (set: number, from: number): { batch: Direction[]; used: number } => {
          const batch: Direction[] = [];
          let used = 0;
          while (from + batch.length < end) {
            const isPair = from + batch.length < pairs;
            if (used + (isPair ? 2 : 1) > slots) break;
            const region = sampler.next(rng);
            const noise = noisePool[set * slots + batch.length]!;
            layout.draw(rng, noise, region, settings.sigma, scratch);
            const plus = used++;
            const minus = isPair ? used++ : -1;
            for (const slot of isPair ? [plus, minus] : [plus]) {
              const g = set * slots + slot;
              const previous = lastRegion[g];
              if (previous && !contains(region, previous)) restoreRegion(inputs, g * d, base, shape, previous);
              writePerturbed(inputs, g * d, base, noise, slot === minus ? -1 : 1, shape, region);
              lastRegion[g] = region;
            }
            batch.push({ region, noise, plus, minus });
          }
          return { batch, used };
        };
        // Double buffering: batch k+1 is drawn while the model answers batch k (same draws, same order).
        let done = first;
        let set = 0;
        let pending: { batch: Direction[]; used: number } | undefined = prepare(set, done);
        while (pending) {
          if (signal?.aborted) throw new LrsalError('ABORTED', 'estimate aborted');
          const { batch, used } = pending;
          const call = f.evaluate(inputs.subarray(set * slots * d, (set * slots + used) * d), used, signal);
          const next: number = done + batch.length;
          try {
            pending = next < end ? prepare(1 - set, next) : undefined;
          } catch (error) {
            await call.catch(() => undefined);
            throw error;
          }
          const values = await call;
          const weights = batch.map((dir) => {
            const up = values[dir.plus]!;
            const weight = dir.minus >= 0 ? (up - values[dir.minus]!) / 2 : fx !== undefined && settings.baseline ? up - fx : up;
            return control ? weight - control.slope * dotRegion(control.direction, dir.noise, shape, dir.region) : weight;
          });
          // In order, term by term: the same sums whatever the batch size.
          accumulateRegions(chunkAcc, batch.map((dir) => dir.noise), weights, shape, batch.map((dir) => dir.region));
          batch.forEach((dir, k) => accumulateSquares(chunkSquares, dir.noise, weights[k]!, shape, dir.region, shared));
          done = next;
          set = 1 - set;
        }
        ledger?.record(estimate, chunk, chunkAcc, queries, chunkSquares);
        partial = chunkAcc;
        partialSquares = chunkSquares;
      }
      // Chunk sums join the total in chunk order, whoever computed them: any split gives the same bits.
      addInto(acc, partial);
      if (partialSquares === undefined) squaresKnown = false;
      else addInto(squares, partialSquares);
    }

    const scale = 1 / (total * settings.sigma * settings.sigma * sampler.coverage);
    const gradient = new Float32Array(d);
    const sizes = layout.isotropic ? undefined : layout.groupSizes();
    if (!sizes) for (let i = 0; i < d; i++) gradient[i] = acc[i]! * scale;
    else for (let i = 0; i < d; i++) gradient[i] = (acc[i]! * scale) / sizes[i]!;
    // Per-term scale 1/(σ² p s_i): the estimate is the mean of `total` terms (standard-error.ts).
    const termScale = 1 / (settings.sigma * settings.sigma * sampler.coverage);
    const covariance = squaresKnown ? covarianceOfMean(acc, squares, total, sizes ? (i) => termScale / sizes[i]! : () => termScale, shape, shared) : undefined;
    return { gradient, queries: spent, ...(covariance ? { covariance } : {}) };
  } finally {
    buffers.release();
  }
}

/** acc += partial, element by element. */
export function addInto(acc: Float64Array, partial: Float64Array): void {
  if (partial.length !== acc.length) throw new LrsalError('SHARD_INCOMPLETE', `a chunk's partial sum has ${partial.length} values, expected ${acc.length}`);
  for (let i = 0; i < acc.length; i++) acc[i]! += partial[i]!;
}

/** v[region] · noise (noise in the compact region layout). */
function dotRegion(v: Float32Array, noise: Float32Array, shape: Shape, r: Region): number {
  const { height: H, width: W } = shape;
  let k = 0;
  let sum = 0;
  for (let c = 0; c < shape.channels; c++) {
    for (let y = r.top; y < r.top + r.height; y++) {
      const start = c * H * W + y * W + r.left;
      for (let i = 0; i < r.width; i++) sum += v[start + i]! * noise[k++]!;
    }
  }
  return sum;
}

function contains(outer: Region, inner: Region): boolean {
  return (
    outer.top <= inner.top &&
    outer.left <= inner.left &&
    outer.top + outer.height >= inner.top + inner.height &&
    outer.left + outer.width >= inner.left + inner.width
  );
}

function budgetTooSmall(queries: number, s: DirectionSettings): LrsalError {
  return invalidArgument(`a gradient estimate needs at least ${minimumQueries(s)} queries with these settings, got ${queries}`);
}
