/**
 * Integrated Gradients: (x − b) ⊙ mean over α of ∇f(b + α(x − b)), α at the midpoints of m equal steps
 * (the midpoint rule is exact for quadratics, so completeness Σ attribution = f(x) − f(b) holds closely).
 * The query budget is split evenly across the m steps; any gradient source works. A source that estimates a
 * mean gradient over several points (GradientSource.estimateMean: focused) gets the whole path and budget at once.
 * With path 'sampled', a source that estimates the path integral itself (GradientSource.estimatePath: lr,
 * blockwise; GEEX's estimator, gradients/path-integral.ts) spends the whole budget on one estimate whose
 * queries sit at random points of the path; `steps` then sets its baseline-subtraction anchors.
 */
import { LrsalError, invalidArgument, requireInteger } from '../core/errors.js';
import { splitBudget } from '../core/ledger.js';
import type { GradientSource } from '../gradients/gradient-source.js';
import { stepsCovariance, type ChannelCovariance } from '../gradients/standard-error.js';
import { requireBudget, type AttributionMethod } from './attribution.js';

export interface IntegratedGradientsOptions {
  /** Path steps m (default 10). */
  steps?: number;
  /** The baseline b in model-input space (default: zeros; the CLI passes black, blurred or a custom image). */
  baseline?: Float32Array;
  /** 'steps' (default): m midpoint steps, each its own estimate; 'sampled': one estimate over random path points. */
  path?: IgPath;
}

export const IG_PATHS = ['steps', 'sampled'] as const;
export type IgPath = (typeof IG_PATHS)[number];

export const IG_DEFAULTS = { steps: 10, path: 'steps' as IgPath };

export function integratedGradients(source: GradientSource, options: IntegratedGradientsOptions = {}): AttributionMethod {
  const steps = requireInteger('steps', options.steps ?? IG_DEFAULTS.steps, 1);
  const path = options.path ?? IG_DEFAULTS.path;
  if (!(IG_PATHS as readonly string[]).includes(path)) throw invalidArgument(`unknown IG path "${path}"; choose one of: ${IG_PATHS.join(', ')}`);
  if (path === 'sampled' && !(source.estimatePath && source.pathMinQueries)) {
    throw invalidArgument(`IG path "sampled" needs a gradient source that estimates path integrals (lr, blockwise), not ${source.name}`);
  }
  const sampled = path === 'sampled' ? source.estimatePath : undefined;
  const { minQueries, why } = sampled
    ? { minQueries: source.pathMinQueries!(steps), why: `a sampled-path ${source.name} estimate with ${steps} anchors` }
    : source.estimateMean
      ? { minQueries: steps + 1, why: `f at ${steps} path points and one direction` }
      : { minQueries: steps * source.minQueries, why: `${steps} steps × ${source.minQueries} queries per ${source.name} estimate` };
  return {
    name: 'ig',
    minQueries,
    async attribute({ f, x, queries, rng, signal, chunks, estimate }) {
      requireBudget('integrated gradients', queries, minQueries, why);
      const baseline = options.baseline ?? new Float32Array(x.length);
      if (baseline.length !== x.length) {
        throw new LrsalError('MODEL_SHAPE', `IG baseline has ${baseline.length} values; the input has ${x.length}`);
      }
      // The midpoint of step k: b + α(x − b), α = (k + ½) / m.
      if (sampled) {
        const { gradient, queries: spent, covariance } = await sampled.call(source, { f, from: baseline, to: x, anchors: steps, queries, rng, signal, estimate: estimate ?? 0 });
        const pathCovariance = stepsCovariance([covariance], x, baseline);
        return { values: Float32Array.from(gradient, (g, j) => (x[j]! - baseline[j]!) * g), shape: f.shape, queries: spent, ...(pathCovariance ? { covariance: pathCovariance } : {}) };
      }
      const pathPoint = (k: number) => Float32Array.from(x, (v, j) => baseline[j]! + ((k + 0.5) / steps) * (v - baseline[j]!));
      if (source.estimateMean) {
        const points = Array.from({ length: steps }, (_, k) => pathPoint(k));
        const { gradient, queries: spent } = await source.estimateMean({ f, points, queries, rng, signal });
        return { values: Float32Array.from(gradient, (g, j) => (x[j]! - baseline[j]!) * g), shape: f.shape, queries: spent };
      }
      const sum = new Float64Array(x.length);
      const shares = splitBudget(queries, steps);
      let spent = 0;
      const covariances: Array<ChannelCovariance | undefined> = [];
      for (let k = 0; k < steps; k++) {
        const { gradient, queries: used, covariance } = await source.estimate({ f, x: pathPoint(k), queries: shares[k]!, rng, signal, estimate: (estimate ?? 0) * steps + k, ...(chunks ? { chunks } : {}) });
        spent += used;
        covariances.push(covariance);
        for (let j = 0; j < x.length; j++) sum[j]! += gradient[j]!;
      }
      const values = new Float32Array(x.length);
      for (let j = 0; j < x.length; j++) values[j] = ((x[j]! - baseline[j]!) * sum[j]!) / steps;
      // Independent steps: Cov = (x − b) Σ_k Cov_k (x − b) / m² (standard-error.ts).
      const covariance = stepsCovariance(covariances, x, baseline);
      return { values, shape: f.shape, queries: spent, ...(covariance ? { covariance } : {}) };
    },
  };
}
