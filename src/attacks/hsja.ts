/**
 * HopSkipJumpAttack (Chen, Jordan & Wainwright, IEEE S&P 2020), untargeted, ℓ2, from Algorithm 2 of the paper:
 *   init: uniform-noise images until one is adversarial, then bisection on the blend with the clean image;
 *   repeat: estimate the boundary's normal at the boundary point x_t by Monte-Carlo, B_t = B0·√t unit directions
 *     u_b, ∇ ≈ mean((φ(x_t + δ u_b) − φ̄) u_b) with φ = ±1 (baseline φ̄ subtracted unless all agree);
 *     step ξ_t = ‖x_t − x0‖/√t along it, halved until adversarial (geometric progression);
 *     bisection back to the boundary between x0 and that point.
 * One deviation, forced by the black box: every query is an 8-bit image, so the probe radius δ (paper:
 * √d·θ·‖x_t − x0‖, θ = d^(−3/2)) is at least two grey levels RMSE, and bisections stop at half a grey level
 * (finer probes round back to the same image and carry no information).
 */
import { requireInteger } from '../core/errors.js';
import { boundarySearch, isAdversarial, type AttackContext, type HardLabelAttack } from './hard-label.js';
import { l2Norm } from './pixels.js';

export interface HsjaOptions {
  /** B0: directions in the first gradient estimate (paper: 100). */
  initialEvaluations?: number;
  /** Cap on directions per estimate (paper: 10,000). */
  maxEvaluations?: number;
  /** Uniform-noise tries for the starting point (paper: up to 10,000). */
  initTries?: number;
}

export const HSJA_DEFAULTS = { initialEvaluations: 100, maxEvaluations: 10_000, initTries: 100 };

export function hopSkipJump(options: HsjaOptions = {}): HardLabelAttack {
  const o = { ...HSJA_DEFAULTS, ...options };
  requireInteger('initial evaluations', o.initialEvaluations, 1);
  return {
    name: 'hsja',
    gradient: '',
    async run(context: AttackContext) {
      const { f, x0, ledger, rng } = context;
      const d = x0.length;
      const sqrtD = Math.sqrt(d);
      const minDelta = (sqrtD * 2) / 255;
      // Start: an adversarial uniform-noise image, pulled to the boundary.
      let start: Float32Array | null = null;
      for (let i = 0; i < o.initTries && !start; i++) {
        const noise = new Float32Array(d);
        for (let j = 0; j < d; j++) noise[j] = rng.nextFloat();
        if (await isAdversarial(f, noise)) start = noise;
      }
      if (!start) return;
      let x = (await boundarySearch(context, start, { steps: 30 })).image;
      for (let t = 1; ledger.remaining > 2; t++) {
        const dist = l2Norm(diff(x, x0));
        // Paper: δ = 0.1 (ℓ2, pixel range 1) at the first step, then √d·θ·dist; never below what 8 bits can show.
        const delta = Math.max(minDelta, t === 1 ? 0.1 : sqrtD * Math.pow(d, -1.5) * dist);
        const evaluations = Math.min(o.maxEvaluations, Math.round(o.initialEvaluations * Math.sqrt(t)), ledger.remaining - 2);
        if (evaluations < 2) return;
        const direction = await estimateNormal(context, x, delta, evaluations);
        if (!direction) return;
        // Geometric progression: the largest ξ = dist/√t·2^(−k) that stays adversarial.
        let xi = dist / Math.sqrt(t);
        let next: Float32Array | null = null;
        while (ledger.remaining > 1 && xi * 2 >= 0.5 / 255) {
          const candidate = new Float32Array(d);
          for (let j = 0; j < d; j++) candidate[j] = Math.min(1, Math.max(0, x[j]! + xi * direction[j]!));
          if (await isAdversarial(f, candidate)) {
            next = candidate;
            break;
          }
          xi /= 2;
        }
        if (!next) return;
        x = (await boundarySearch(context, next, { steps: 30 })).image;
      }
    },
  };
}

/**
 * Unit estimate of the boundary normal at x (pointing into the adversarial side), or null when it is zero.
 * Streams in batches: Σ(φ_b − φ̄)u_b = Σφ_b u_b − φ̄ Σu_b, so memory does not grow with the number of directions.
 */
async function estimateNormal(context: AttackContext, x: Float32Array, delta: number, count: number): Promise<Float32Array | null> {
  const { f, rng } = context;
  const d = x.length;
  const batch = 16;
  const inputs = new Float32Array(batch * d);
  const u = new Float32Array(batch * d);
  const weighted = new Float64Array(d);
  const plain = new Float64Array(d);
  let phiSum = 0;
  for (let start = 0; start < count; start += batch) {
    const n = Math.min(batch, count - start);
    for (let b = 0; b < n; b++) {
      const o = b * d;
      rng.fillNormal(u, o, o + d, 1);
      const norm = l2Norm(u.subarray(o, o + d));
      for (let j = 0; j < d; j++) {
        const v = Math.min(1, Math.max(0, x[j]! + (delta * u[o + j]!) / norm));
        inputs[o + j] = v;
        u[o + j] = (v - x[j]!) / delta; // the direction actually taken, after clipping (as the reference code does)
      }
    }
    const values = await f.evaluate(inputs.subarray(0, n * d), n);
    for (let b = 0; b < n; b++) {
      const phi = values[b]! < 0 ? 1 : -1;
      phiSum += phi;
      const o = b * d;
      for (let j = 0; j < d; j++) {
        weighted[j]! += phi * u[o + j]!;
        plain[j]! += u[o + j]!;
      }
    }
  }
  const mean = phiSum / count;
  const g = new Float32Array(d);
  for (let j = 0; j < d; j++) g[j] = Math.abs(mean) === 1 ? mean * plain[j]! : weighted[j]! - mean * plain[j]!;
  const norm = l2Norm(g);
  if (!(norm > 0)) return null;
  for (let j = 0; j < d; j++) g[j]! /= norm;
  return g;
}

function diff(a: Float32Array, b: Float32Array): Float32Array {
  return Float32Array.from(a, (v, i) => v - b[i]!);
}
