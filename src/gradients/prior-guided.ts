/**
 * Prior-guided estimation (in the spirit of P-RGF, Cheng et al. 2019): a prior direction v — typically the
 * exact gradient of a white-box surrogate model — is used twice.
 *  1. Two queries measure the directional derivative along it, c ≈ ∇f·v (central difference, step σ√d so
 *     the probe is as large as a random direction).
 *  2. Every random-direction weight loses the part the prior already explains, w − c·(v·z), a control
 *     variate with zero mean: the random directions then only estimate ∇f − c·v, and c·v is added back.
 * Unbiased for whatever the inner estimator estimates (P∇f for structured noise: c·Pv is added back). It helps
 * only as far as the prior is aligned with the gradient: the variance removed is a fraction cos²(v, ∇f).
 */
import { invalidArgument, LrsalError } from '../core/errors.js';
import { sizeOf, type Shape } from '../core/tensor.js';
import type { BackpropObjective, DifferentiableModel } from '../backprop/index.js';
import type { Preprocessing } from '../models/preprocess.js';
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

/**
 * The gradient of a white-box surrogate as a prior for a black box with other preprocessing: map the
 * black box's input to pixels and on to the surrogate's input (both affine per channel, perhaps with the
 * channel order swapped), differentiate there, and bring the gradient back with the chain rule:
 * ∂f_s/∂x_b[c] = ∂f_s/∂x_s[c'] · (∂x_s/∂pixel) · (∂pixel/∂x_b), c and c' reading the same RGB channel.
 * Both models must take the same crop at the same size.
 */
export function surrogatePrior(
  surrogate: DifferentiableModel,
  surrogatePre: Preprocessing,
  blackBoxPre: Preprocessing,
  target: number,
  objective: BackpropObjective,
): PriorDirection {
  return async (x) => {
    const plane = x.length / 3;
    const xs = new Float32Array(x.length);
    const gain = new Float64Array(3);
    for (let c = 0; c < 3; c++) {
      const k = rgbOf(blackBoxPre, c);
      const cs = channelOf(surrogatePre, k);
      // pixel·scale = x_b·std_b + mean_b; x_s = (pixel·scale_s − mean_s) / std_s.
      const toScaledPixel = (value: number) => (value * blackBoxPre.std[k]! + blackBoxPre.mean[k]!) / blackBoxPre.scale;
      for (let i = 0; i < plane; i++) {
        xs[cs * plane + i] = (toScaledPixel(x[c * plane + i]!) * surrogatePre.scale - surrogatePre.mean[k]!) / surrogatePre.std[k]!;
      }
      gain[c] = (blackBoxPre.std[k]! / blackBoxPre.scale) * (surrogatePre.scale / surrogatePre.std[k]!);
    }
    const { gradient } = await surrogate.gradient(xs, target, objective);
    const out = new Float32Array(x.length);
    for (let c = 0; c < 3; c++) {
      const cs = channelOf(surrogatePre, rgbOf(blackBoxPre, c));
      for (let i = 0; i < plane; i++) out[c * plane + i] = gradient[cs * plane + i]! * gain[c]!;
    }
    return out;
  };
}

/** Model channel c reads RGB channel rgbOf(c); RGB channel k sits in model channel channelOf(k). */
const rgbOf = (p: Preprocessing, c: number) => (p.channelOrder === 'BGR' ? 2 - c : c);
const channelOf = rgbOf;
