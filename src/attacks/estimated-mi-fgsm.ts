/**
 * The paper's hard-label attack: MI-FGSM (Dong et al. 2018) steered by a gradient *estimated from label queries*
 * (likelihood-ratio, blockwise or focused; src/gradients) of the hard-label objective f ≤ 0. f is piecewise
 * constant, so what is estimated is the gradient of its Gaussian smoothing: an estimate carries signal only when
 * some noisy copies change the answer. σ therefore adapts: it grows while no copy changes the answer and shrinks
 * when most do. Each step moves every pixel by α against sign(momentum) (f is minimized: further from the true
 * class); the estimate's f(x) query is the check. Once an image is adversarial, a bisection towards the clean
 * image shrinks the perturbation, and the walk starts again from the clean image (momentum kept) at half the step.
 */
import type { BatchFunction } from '../core/batch-function.js';
import { invalidArgument, requireInteger, requirePositive } from '../core/errors.js';
import { createGradientSource, BLACK_BOX_GRADIENTS } from '../gradients/registry.js';
import { boundarySearch, type AttackContext, type HardLabelAttack } from './hard-label.js';
import { l1Norm } from './pixels.js';

export interface EstimatedMiFgsmOptions {
  /** lr, blockwise or focused. */
  gradient?: string;
  /** Queries per gradient estimate (including the f(x) check). */
  queriesPerStep?: number;
  /** L∞ step per iteration, pixels in [0, 1] (default 2/255: survives 8-bit rounding). */
  step?: number;
  /** Momentum decay μ (MI-FGSM: 1). */
  momentum?: number;
  /** Starting noise σ, pixels in [0, 1]; adapts within [1/255, 0.5]. */
  sigma?: number;
  /** Bisection queries after each success. */
  searchSteps?: number;
}

export const ESTIMATED_MI_FGSM_DEFAULTS = { gradient: 'lr', queriesPerStep: 40, step: 2 / 255, momentum: 1, sigma: 0.05, searchSteps: 8 };

export function estimatedMiFgsm(options: EstimatedMiFgsmOptions = {}): HardLabelAttack {
  const o = { ...ESTIMATED_MI_FGSM_DEFAULTS, ...options };
  if (!(BLACK_BOX_GRADIENTS as readonly string[]).includes(o.gradient)) {
    throw invalidArgument(`unknown gradient "${o.gradient}"; choose one of: ${BLACK_BOX_GRADIENTS.join(', ')}`);
  }
  requireInteger('queries per step', o.queriesPerStep, 4);
  requirePositive('step', o.step);
  requirePositive('sigma', o.sigma);
  if (!(o.momentum >= 0)) throw invalidArgument(`momentum must be ≥ 0, got ${o.momentum}`);
  return {
    name: 'mi-fgsm',
    gradient: o.gradient,
    async run(context: AttackContext) {
      const { f, x0, ledger, rng } = context;
      const d = x0.length;
      let sigma = o.sigma;
      let step = o.step;
      let x = x0.slice();
      let fx = 0;
      const momentum = new Float64Array(d);
      while (ledger.remaining >= o.queriesPerStep + 1) {
        // Count the noisy copies whose answer differs from f(x): the signal σ adapts to.
        let changed = 0;
        let asked = 0;
        const counting: BatchFunction = {
          shape: f.shape,
          async evaluate(inputs, count, signal) {
            const values = await f.evaluate(inputs, count, signal);
            for (const v of values) if (v !== fx) changed++;
            asked += count;
            return values;
          },
        };
        const source = createGradientSource(o.gradient, f.shape, { sigma });
        const { gradient } = await source.estimate({ f: counting, x, queries: o.queriesPerStep - 1, rng, valueAtX: fx });
        if (changed === 0) sigma = Math.min(0.5, sigma * 1.5);
        else if (changed > asked / 2) sigma = Math.max(1 / 255, sigma / 1.5);
        const norm = l1Norm(gradient);
        if (norm > 0) for (let i = 0; i < d; i++) momentum[i] = o.momentum * momentum[i]! + gradient[i]! / norm;
        else if (l1Norm(momentum) === 0) continue; // nothing to steer by yet: try again with a larger σ
        const next = new Float32Array(d);
        for (let i = 0; i < d; i++) next[i] = Math.min(1, Math.max(0, x[i]! - step * Math.sign(momentum[i]!)));
        x = next;
        fx = (await f.evaluate(x, 1))[0]!;
        if (fx < 0) {
          // Adversarial: pull it back towards the clean image (the watcher keeps the closest), then walk again from
          // the clean image with the momentum learnt so far at a finer step: a shorter path to the boundary.
          await boundarySearch(context, x, { steps: Math.min(o.searchSteps, ledger.remaining) });
          x = x0.slice();
          fx = 0;
          step = Math.max(1 / 255, step / 2);
        }
      }
    },
  };
}
