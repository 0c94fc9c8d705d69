/**
 * Saliency-guided transfer attack: MIG (momentum integrated gradients, Ma et al., ICCV 2023) and its family.
 * An attribution of the true class on a *surrogate* model steers an L∞-bounded momentum attack in pixel space,
 *   g_{t+1} = μ·g_t + a_t/‖a_t‖₁,   x_{t+1} = clip_{x0,ε}(x_t − α·sign(g_{t+1})),
 * with a_t the attribution (IG for MIG; any method here) at x_t; the victims only see the final image.
 * Attributions come from the surrogate by backprop or are estimated from its forward queries (src/gradients):
 * the question is whether estimated attributions transfer as well as exact ones.
 */
import type { BatchFunction } from '../core/batch-function.js';
import { invalidArgument, requireInteger, requirePositive } from '../core/errors.js';
import { QueryLedger, metered } from '../core/ledger.js';
import type { Rng } from '../core/rng.js';
import type { GradientSource } from '../gradients/gradient-source.js';
import { createMethod, isMethodName, METHODS, type MethodSettings } from '../methods/registry.js';
import type { ScoreModel } from '../models/model.js';
import { scoreFunction, type ScoreObjective } from '../objectives/scores.js';
import { l1Norm, quantize, type PixelMap } from './pixels.js';

export interface MomentumAttackOptions {
  /** L∞ radius, pixels in [0, 1] (MIG: 16/255). */
  epsilon?: number;
  iterations?: number;
  /** Step per iteration (MIG: ε/iterations). */
  step?: number;
  /** Momentum decay μ (MIG: 1). */
  decay?: number;
}

export const MIG_DEFAULTS = { epsilon: 16 / 255, iterations: 10, decay: 1 };

/** An attribution of the true class at a pixel-space image, in pixel space (same layout). */
export type PixelAttributor = (pixels: Float32Array) => Promise<Float32Array>;

/** The momentum attack; returns the adversarial image at 8-bit levels (what is saved and shown to victims). */
export async function momentumAttack(x0: Float32Array, attribute: PixelAttributor, options: MomentumAttackOptions = {}): Promise<Float32Array> {
  const epsilon = requirePositive('epsilon', options.epsilon ?? MIG_DEFAULTS.epsilon);
  const iterations = requireInteger('iterations', options.iterations ?? MIG_DEFAULTS.iterations, 1);
  const step = requirePositive('step', options.step ?? epsilon / iterations);
  const decay = options.decay ?? MIG_DEFAULTS.decay;
  if (!(decay >= 0)) throw invalidArgument(`momentum decay must be ≥ 0, got ${decay}`);
  const d = x0.length;
  const g = new Float64Array(d);
  let x = x0.slice();
  for (let t = 0; t < iterations; t++) {
    const a = await attribute(x);
    if (a.length !== d) throw invalidArgument(`attribution has ${a.length} values; the image has ${d}`);
    const norm = l1Norm(a) || 1;
    const next = new Float32Array(d);
    for (let i = 0; i < d; i++) {
      g[i] = decay * g[i]! + a[i]! / norm;
      const v = x[i]! - step * Math.sign(g[i]!);
      next[i] = Math.min(1, Math.max(0, Math.min(x0[i]! + epsilon, Math.max(x0[i]! - epsilon, v))));
    }
    x = next;
  }
  // Rounding to 8 bits may not leave the ε-ball: ε is a whole number of grey levels and x0 is at 8-bit levels.
  return quantize(x);
}

export interface SurrogateAttributionOptions {
  /** The surrogate, queried forward (estimated attributions, RISE). */
  model: ScoreModel;
  /** Its preprocessing as a pixel map. */
  map: PixelMap;
  truth: number;
  /** vanilla, smoothgrad, vargrad, ig, rise. */
  method: string;
  /** Backprop or a black-box estimator (ignored by RISE). */
  source: GradientSource;
  objective?: ScoreObjective;
  /** Surrogate queries per attribution (estimators and RISE; backprop spends none). */
  queries: number;
  rng: Rng;
  settings?: MethodSettings;
}

/**
 * The surrogate's attribution as a PixelAttributor: the image goes through the surrogate's preprocessing, the
 * method runs in its model-input space on f = objective(model)[truth] (each call under its own ledger of
 * `queries`), and the result comes back to pixels: gradients by the chain rule, per-value attributions (IG,
 * VarGrad, RISE) by channel order only; RISE's single plane is shared by the three channels.
 */
export function surrogateAttributor(o: SurrogateAttributionOptions): PixelAttributor {
  if (!isMethodName(o.method)) throw invalidArgument(`unknown method "${o.method}"; choose one of: ${METHODS.join(', ')}`);
  const f: BatchFunction = scoreFunction(o.model, o.objective ?? 'logit', o.truth);
  const black = o.map.toInput(new Float32Array(3 * o.model.inputShape.height * o.model.inputShape.width));
  const method = createMethod(o.method, o.source, { baseline: black, ...(o.settings ?? {}) });
  const isGradient = o.method === 'vanilla' || o.method === 'smoothgrad';
  return async (pixels) => {
    const x = o.map.toInput(pixels);
    const ledger = new QueryLedger(Math.max(1, o.queries));
    const { values, shape } = await method.attribute({ f: metered(f, ledger), x, queries: o.queries, rng: o.rng });
    let full = values;
    if (shape.channels === 1) {
      const plane = values.length;
      full = new Float32Array(3 * plane);
      for (let c = 0; c < 3; c++) full.set(values, c * plane);
    }
    return isGradient ? o.map.gradientToPixels(full) : o.map.attributionToPixels(full);
  };
}
