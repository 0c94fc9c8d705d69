/**
 * The shared frame of every hard-label attack: a black box seen through one scalar, f(x) ≤ 0 on pixel-space images,
 * with f(x) = 0 while the model still answers the true class and f(x) < 0 once it does not (−WordNet distance of
 * the answer to the true class, or −1 for the 0/1 signal). Every query goes through one QueryLedger (a hard
 * ceiling, checked before sending) and is watched: the closest adversarial image any query saw is the result,
 * whichever step of the attack asked for it.
 */
import type { BatchFunction } from '../core/batch-function.js';
import { BudgetExceededError, invalidArgument } from '../core/errors.js';
import { metered, type QueryLedger } from '../core/ledger.js';
import type { Rng } from '../core/rng.js';
import { quantize, rmse } from './pixels.js';

export interface AttackContext {
  /** The black box: metered, quantizing (every query is an 8-bit image) and watched. */
  f: BatchFunction;
  /** The clean image, pixels in [0, 1], CHW. */
  x0: Float32Array;
  ledger: QueryLedger;
  rng: Rng;
  /** The closest adversarial image queried so far. */
  best(): { image: Float32Array; rmse: number } | null;
}

export interface HardLabelAttack {
  readonly name: string;
  /** The gradient estimator it steers by (lr, blockwise, focused), or '' for the baselines. */
  readonly gradient: string;
  run(context: AttackContext): Promise<void>;
}

export interface AttackOutcome {
  attack: string;
  gradient: string;
  /** The closest adversarial image found (8-bit levels, as saved), or null. */
  adversarial: Float32Array | null;
  /** RMSE of `adversarial` to the clean image (pixels in [0, 1]); Infinity when none was found. */
  rmse: number;
  /** f at the adversarial image (−distance), 0 when none was found. */
  value: number;
  /** Queries spent, including the check of the clean image. */
  queries: number;
}

/** 0 → −1: f of the 0/1 "still the true class" signal from any hard-label f. */
export function zeroOneSignal(f: BatchFunction): BatchFunction {
  return {
    shape: f.shape,
    async evaluate(inputs, count, signal) {
      const values = await f.evaluate(inputs, count, signal);
      return values.map((v) => (v < 0 ? -1 : 0));
    },
  };
}

/** The query every attack uses to test one image: is it adversarial? (one query) */
export async function isAdversarial(f: BatchFunction, x: Float32Array): Promise<boolean> {
  return (await f.evaluate(x, 1))[0]! < 0;
}

/**
 * Run `attack` on one image with f (pixel space, unmetered) under `ledger`. The clean image is queried first
 * (charged): when the model already does not answer the true class, the outcome is that image at RMSE 0.
 * The attack ends when it returns or when the ledger refuses a query (nothing beyond the budget is ever sent).
 */
export async function runHardLabelAttack(attack: HardLabelAttack, f: BatchFunction, x0: Float32Array, ledger: QueryLedger, rng: Rng): Promise<AttackOutcome> {
  if (x0.length !== f.shape.channels * f.shape.height * f.shape.width) {
    throw invalidArgument(`image has ${x0.length} values; the black box takes ${f.shape.channels}×${f.shape.height}×${f.shape.width}`);
  }
  const clean = quantize(x0);
  let best: { image: Float32Array; rmse: number; value: number } | null = null;
  const spentBefore = ledger.spent;
  const m = metered(f, ledger);
  const watched: BatchFunction = {
    shape: f.shape,
    async evaluate(inputs, count, signal) {
      const q = quantize(inputs);
      const values = await m.evaluate(q, count, signal);
      const d = clean.length;
      for (let i = 0; i < count; i++) {
        if (!(values[i]! < 0)) continue;
        const image = q.subarray(i * d, (i + 1) * d);
        const r = rmse(image, clean);
        if (!best || r < best.rmse) best = { image: image.slice(), rmse: r, value: values[i]! };
      }
      return values;
    },
  };
  const context: AttackContext = { f: watched, x0: clean, ledger, rng, best: () => best && { image: best.image, rmse: best.rmse } };
  try {
    if (!(await isAdversarial(watched, clean))) await attack.run(context);
  } catch (error) {
    if (!(error instanceof BudgetExceededError)) throw error;
  }
  const found = best as { image: Float32Array; rmse: number; value: number } | null;
  return {
    attack: attack.name,
    gradient: attack.gradient,
    adversarial: found?.image ?? null,
    rmse: found?.rmse ?? Infinity,
    value: found?.value ?? 0,
    queries: ledger.spent - spentBefore,
  };
}

/**
 * Bisection on the segment from the clean image (t = 0, not adversarial) to an adversarial one (t = 1):
 * the smallest adversarial t found, after `steps` queries at most (stops early below `tolerance` in RMSE).
 */
export async function boundarySearch(
  context: AttackContext,
  adversarial: Float32Array,
  options: { steps?: number; tolerance?: number } = {},
): Promise<{ image: Float32Array; t: number }> {
  const { x0, f, ledger } = context;
  const distance = rmse(adversarial, x0);
  const tolerance = options.tolerance ?? 0.5 / 255;
  let low = 0;
  let high = 1;
  let image = adversarial;
  for (let step = 0; step < (options.steps ?? 20) && (high - low) * distance > tolerance && ledger.remaining > 0; step++) {
    const mid = (low + high) / 2;
    const candidate = blendTo(x0, adversarial, mid);
    if (await isAdversarial(f, candidate)) {
      high = mid;
      image = candidate;
    } else low = mid;
  }
  return { image, t: high };
}

function blendTo(x0: Float32Array, x1: Float32Array, t: number): Float32Array {
  const out = new Float32Array(x0.length);
  for (let i = 0; i < x0.length; i++) out[i] = x0[i]! + t * (x1[i]! - x0[i]!);
  return out;
}

/** Success rates at the paper's RMSE thresholds, median RMSE and query use over many outcomes. */
export const RMSE_THRESHOLDS = [0.01, 0.05, 0.1] as const;

export interface AttackSummary {
  attack: string;
  gradient: string;
  queries: number;
  maxQueriesUsed: number;
  successRate: Record<'0.01' | '0.05' | '0.1', number>;
  /** Median RMSE over all images (Infinity counts as a failure: the median is Infinity when most fail). */
  medianRmse: number;
  images: number;
}

export function summarize(attack: string, gradient: string, budget: number, outcomes: readonly AttackOutcome[]): AttackSummary {
  const n = outcomes.length;
  const rate = (t: number) => (n ? outcomes.filter((o) => o.rmse <= t).length / n : 0);
  const sorted = outcomes.map((o) => o.rmse).sort((a, b) => a - b);
  const median = n === 0 ? NaN : n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  return {
    attack,
    gradient,
    queries: budget,
    maxQueriesUsed: outcomes.reduce((m, o) => Math.max(m, o.queries), 0),
    successRate: { '0.01': rate(0.01), '0.05': rate(0.05), '0.1': rate(0.1) },
    medianRmse: median,
    images: n,
  };
}
