/**
 * Sign-OPT (Cheng, Singh, Chen, Chen, Liu, Hsieh, ICLR 2020), untargeted: minimise over directions θ the distance
 * g(θ) = min{λ > 0 : x0 + λθ/‖θ‖ is adversarial}. Each iteration spends K queries on the sign of the directional
 * derivative of g along random unit u_k (one query each: is x0 + g(θ)·(θ + βu_k)/‖θ + βu_k‖ still adversarial?
 * then g would not grow: sign −1), steps θ ← θ − η·mean(sign_k u_k) with the paper's line search (η doubled while
 * g improves, else shrunk ×¼), and evaluates g by bisection below the current best. Start: the best of
 * `initDirections` Gaussian directions. Paper defaults: K = 200, η = 0.2, β = 0.001.
 * Deviation forced by 8-bit images: the probe βu moves the image by at least one grey level RMSE, and bisections
 * stop at a quarter grey level (finer changes round back to the same image).
 */
import { requireInteger } from '../core/errors.js';
import type { AttackContext, HardLabelAttack } from './hard-label.js';
import { isAdversarial } from './hard-label.js';
import { l2Norm } from './pixels.js';

export interface SignOptOptions {
  /** K: sign queries per gradient estimate. */
  k?: number;
  /** Gaussian directions tried for the start. */
  initDirections?: number;
  alpha?: number;
  beta?: number;
}

export const SIGN_OPT_DEFAULTS = { k: 200, initDirections: 100, alpha: 0.2, beta: 0.001 };

export function signOpt(options: SignOptOptions = {}): HardLabelAttack {
  const o = { ...SIGN_OPT_DEFAULTS, ...options };
  requireInteger('K', o.k, 1);
  return {
    name: 'sign-opt',
    gradient: '',
    async run(context: AttackContext) {
      const { x0, ledger, rng } = context;
      const d = x0.length;
      const sqrtD = Math.sqrt(d);
      const tolerance = (sqrtD * 0.25) / 255;
      const g = (theta: Float32Array, upper: number) => distanceAlong(context, theta, upper, tolerance);

      let start: Float32Array | null = null;
      let gTheta = Infinity;
      for (let i = 0; i < o.initDirections && ledger.remaining > 1; i++) {
        const candidate = new Float32Array(d);
        rng.fillNormal(candidate, 0, d, 1);
        const lambda = l2Norm(candidate);
        for (let j = 0; j < d; j++) candidate[j]! /= lambda;
        const value = await g(candidate, Math.min(lambda, gTheta));
        if (value < gTheta) {
          start = candidate;
          gTheta = value;
        }
      }
      if (!start) return;
      let theta: Float32Array = start;
      let alpha = o.alpha;
      let beta = o.beta;
      while (ledger.remaining > o.k + 1) {
        const probe = Math.max(beta, sqrtD / 255 / gTheta);
        const grad = await signGradient(context, theta, gTheta, probe, o.k);
        let bestTheta: Float32Array = theta;
        let bestG = gTheta;
        // Line search: grow η while g improves; if the first step does not improve, shrink it instead.
        for (let i = 0; i < 15 && ledger.remaining > 1; i++) {
          const next = unitSum(theta, -alpha, grad);
          const value = await g(next, bestG);
          if (value >= bestG) break;
          bestTheta = next;
          bestG = value;
          alpha *= 2;
        }
        if (bestG >= gTheta) {
          for (let i = 0; i < 15 && ledger.remaining > 1; i++) {
            alpha *= 0.25;
            const next = unitSum(theta, -alpha, grad);
            const value = await g(next, gTheta);
            if (value < gTheta) {
              bestTheta = next;
              bestG = value;
              break;
            }
          }
        }
        if (alpha < 1e-4) {
          alpha = 1;
          beta *= 0.1;
        }
        theta = bestTheta;
        gTheta = bestG;
      }
    },
  };
}

/** x0 + λθ, clipped to [0, 1]. */
function along(x0: Float32Array, theta: Float32Array, lambda: number): Float32Array {
  const out = new Float32Array(x0.length);
  for (let j = 0; j < x0.length; j++) out[j] = Math.min(1, Math.max(0, x0[j]! + lambda * theta[j]!));
  return out;
}

/** (a + s·b) / ‖a + s·b‖. */
function unitSum(a: Float32Array, s: number, b: Float32Array, offset = 0): Float32Array {
  const out = new Float32Array(a.length);
  for (let j = 0; j < a.length; j++) out[j] = a[j]! + s * b[offset + j]!;
  return unit(out);
}

/**
 * g(θ) by bisection on λ ∈ (0, upper] (the paper's fine-grained search with the current best as the bound):
 * Infinity, after one query, when x0 + upper·θ is not adversarial.
 */
async function distanceAlong(context: AttackContext, theta: Float32Array, upper: number, tolerance: number): Promise<number> {
  const { f, x0, ledger } = context;
  if (!Number.isFinite(upper) || !(await isAdversarial(f, along(x0, theta, upper)))) return Infinity;
  let low = 0;
  let high = upper;
  while (high - low > tolerance && ledger.remaining > 0) {
    const mid = (low + high) / 2;
    if (await isAdversarial(f, along(x0, theta, mid))) high = mid;
    else low = mid;
  }
  return high;
}

/** mean(sign_k u_k): sign −1 when the boundary point along θ + βu_k is still adversarial (g would not grow). */
async function signGradient(context: AttackContext, theta: Float32Array, gTheta: number, beta: number, k: number): Promise<Float32Array> {
  const { f, x0, rng } = context;
  const d = x0.length;
  const grad = new Float32Array(d);
  const batch = 16;
  const inputs = new Float32Array(batch * d);
  const us = new Float32Array(batch * d);
  for (let start = 0; start < k; start += batch) {
    const n = Math.min(batch, k - start);
    for (let b = 0; b < n; b++) {
      const o = b * d;
      rng.fillNormal(us, o, o + d, 1);
      const un = l2Norm(us.subarray(o, o + d));
      for (let j = 0; j < d; j++) us[o + j]! /= un;
      const moved = unitSum(theta, beta, us, o);
      for (let j = 0; j < d; j++) inputs[o + j] = Math.min(1, Math.max(0, x0[j]! + gTheta * moved[j]!));
    }
    const values = await f.evaluate(inputs.subarray(0, n * d), n);
    for (let b = 0; b < n; b++) {
      const sign = values[b]! < 0 ? -1 : 1;
      const o = b * d;
      for (let j = 0; j < d; j++) grad[j]! += (sign * us[o + j]!) / k;
    }
  }
  return grad;
}

function unit(v: Float32Array): Float32Array {
  const n = l2Norm(v);
  for (let j = 0; j < v.length; j++) v[j]! /= n;
  return v;
}
