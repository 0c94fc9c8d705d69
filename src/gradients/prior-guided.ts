/**
 * Prior-guided estimation (in the spirit of P-RGF, Cheng et al. 2019): a prior direction v — typically the
 * exact gradient of a white-box surrogate model — is used twice.
 *  1. Two queries measure the directional derivative along it, c ≈ ∇f·v (central difference, step σ√d so
 *     the probe is as large as a random direction).
 *  2. Every random-direction weight loses the part the prior already explains, w − c·(v·z), a control
 *     variate with zero mean: the random directions then only estimate ∇f − c·v, and c·v is added back.
 * Unbiased for whatever the inner estimator estimates (P∇f for structured noise: c·Pv is added back). It helps
 * only as far as the prior is aligned with the gradient: the variance removed is a fraction cos²(v, ∇f).
 * The prior is any direction function; models/surrogate-prior.ts makes one from a white-box surrogate model.
 */
import { invalidArgument, LrsalError } from '../core/errors.js';
import { sizeOf, type Shape } from '../core/tensor.js';
import type { GradientSource } from './gradient-source.js';
import { projectOntoNoise } from './noise-shapes.js';
import type { RandomDirectionSource } from './random-directions.js';

/** A prior direction at x, in the black box's input space (any norm; zero means "no prior"). */
export type PriorDirection = (x: Float32Array, signal?: AbortSignal) => Promise<Float32Array>;

/** Queries spent on the directional derivative along the prior. */
export const PRIOR_QUERIES = 2;

export function priorGuided(inner: RandomDirectionSource, shape: Shape, prior: PriorDirection): GradientSource {
  const d = sizeOf(shape);
  const { sigma, noise, tile } = inner.settings;
  return {
    name: `${inner.name}+prior`,
    minQueries: inner.minQueries + PRIOR_QUERIES,
    async estimate(request) {
      const { f, x, queries, signal } = request;
      if (queries < inner.minQueries + PRIOR_QUERIES) {
        throw invalidArgument(`a prior-guided estimate needs at least ${inner.minQueries + PRIOR_QUERIES} queries, got ${queries}`);
      }
      const v = await prior(x, signal);
      if (v.length !== d) throw new LrsalError('MODEL_SHAPE', `prior has ${v.length} values; the function takes ${d}`);
      let squares = 0;
      for (let i = 0; i < d; i++) squares += v[i]! * v[i]!;
      const norm = Math.sqrt(squares);
      if (!(norm > 0 && Number.isFinite(norm))) return inner.estimate(request);
      const unit = new Float32Array(d);
      for (let i = 0; i < d; i++) unit[i] = v[i]! / norm;

      const step = sigma * Math.sqrt(d);
      const probes = new Float32Array(2 * d);
      for (let i = 0; i < d; i++) {
        probes[i] = x[i]! + step * unit[i]!;
        probes[d + i] = x[i]! - step * unit[i]!;
      }
      const [up, down] = await f.evaluate(probes, 2, signal);
      const slope = (up! - down!) / (2 * step);

      const rest = await inner.estimate({ ...request, queries: queries - PRIOR_QUERIES }, { direction: unit, slope });
      const known = noise === 'iid' && tile === 1 ? unit : projectOntoNoise(unit, shape, noise, tile);
      const gradient = rest.gradient;
      for (let i = 0; i < d; i++) gradient[i] = gradient[i]! + slope * known[i]!;
      return { gradient, queries: rest.queries + PRIOR_QUERIES };
    },
  };
}
