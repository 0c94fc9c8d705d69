/**
 * `untilStable`: spend queries only until the map's rank order stops changing. The run grows by whole
 * chunks (gradients/growing-ledger.ts): at checkpoints of c = 1, 2, 4, … chunks per estimate it is exactly
 * the plain run with B(c) queries and the same seed; from c = 2 on, the map of the first c/2 chunks (the
 * previous checkpoint's) and the map of the last c/2 chunks alone, two independent estimates, are compared by
 * Spearman rank correlation. The run stops at the first checkpoint where that correlation reaches the
 * threshold, with the map (byte-identical) and the queries of a plain run of B(c); when no checkpoint gets
 * there, it finishes as the plain run of the whole budget, which stays a hard ceiling. Nothing is paid twice.
 * The correlation of two half-budget maps understates how stable the whole map is (each half has twice its
 * variance): a threshold of 0.9 between halves is a stricter test than 0.9 between two full runs.
 *
 * The server's preview rounds (server/explanations/explain-in-rounds.ts) grow a map differently: independent
 * explain() runs with their own seeds, averaged; that mean is no plain run's bits, so it is not reused here.
 *
 * Needs a method whose queries never depend on f's answers and whose sums are chunked: vanilla, SmoothGrad,
 * VarGrad and IG (steps) over lr or blockwise, for score, label and text black boxes alike.
 */
import type { BatchFunction } from '../core/batch-function.js';
import { invalidArgument } from '../core/errors.js';
import { GrowingLedger } from '../gradients/growing-ledger.js';
import { CHUNK_DIRECTIONS } from '../gradients/chunks.js';
import type { AttributionMethod } from '../methods/attribution.js';
import type { ChannelReduction } from '../methods/channel-reduction.js';
import { spearman } from '../metrics/similarity.js';
import { attribute, type AttributionResult } from './attribute.js';
import type { ExplainOptions } from './options.js';

/** The threshold when `untilStable` is given without one (`--until-stable` bare). */
export const DEFAULT_STABILITY = 0.9;

export interface StabilityReport {
  threshold: number;
  /** True when a checkpoint reached the threshold before the budget ran out. */
  stable: boolean;
  /** The last rank correlation measured between the two halves (null when the budget allowed no checkpoint). */
  correlation: number | null;
  /** Every checkpoint: the plain-run budget it equals and the halves' correlation there. */
  checkpoints: Array<{ queries: number; correlation: number }>;
}

/** The threshold asked for, or undefined when untilStable is off; bad values are a clear error. */
export function stabilityThreshold(value: ExplainOptions['untilStable']): number | undefined {
  if (value === undefined || value === false) return undefined;
  const t = value === true ? DEFAULT_STABILITY : value;
  if (typeof t !== 'number' || !(t > 0 && t <= 1)) throw invalidArgument(`untilStable must be a rank correlation in (0, 1], got ${String(value)}`);
  return t;
}

/** Refuse, before any query, what cannot grow chunk by chunk. */
export function validateUntilStable(o: Pick<ExplainOptions, 'method' | 'gradient' | 'igPath' | 'topK' | 'targets'>): void {
  const why = (reason: string) => invalidArgument(`--until-stable ${reason}`);
  if (typeof o.method !== 'string' || typeof o.gradient !== 'string') throw why('needs a method and gradient source by name (lr or blockwise)');
  if (o.method === 'rise') throw why('works with the gradient methods over lr or blockwise, not RISE');
  if (o.gradient !== 'lr' && o.gradient !== 'blockwise') throw why(`needs the lr or blockwise gradient (its queries never depend on the answers); ${o.gradient} cannot grow a run chunk by chunk`);
  if (o.method === 'ig' && o.igPath === 'sampled') throw why('needs IG path "steps": a sampled path places every query by the whole budget');
  if ((o.topK !== undefined && o.topK > 1) || (o.targets !== undefined && o.targets.length > 1)) throw why('explains one class at a time (each class would stop at its own budget)');
}

interface StableOptions {
  seed: number;
  reduction: ChannelReduction;
  signal?: AbortSignal;
  threshold: number;
  /** antithetic pairs: a whole chunk is 64 pairs, 128 queries. */
  antithetic: boolean;
}

/**
 * Run `method` on f with at most `queries` queries (the prediction query excluded, as attribute()), stopping at
 * the first stable checkpoint. Returns what attribute() returns for the plain run of the queries used.
 */
export async function attributeUntilStable(
  method: AttributionMethod,
  f: BatchFunction,
  x: Float32Array,
  valueAtX: number,
  queries: number,
  o: StableOptions,
): Promise<AttributionResult & { queries: number; stability: StabilityReport }> {
  const perDirection = o.antithetic ? 2 : 1;
  const ledger = new GrowingLedger(CHUNK_DIRECTIONS * perDirection);
  const run = (budget: number) => attribute(method, f, x, valueAtX, budget, { ...o, chunks: ledger });
  // A query-free pass learns the method's estimates and which of them query f at their point.
  ledger.mode = { kind: 'count' };
  await run(queries);
  const estimates = ledger.chunks.size;
  const valueQueries = o.antithetic ? 0 : ledger.needsValue.size;
  // The budget with c whole chunks in every estimate (the budget is split evenly across estimates).
  const budgetFor = (c: number) => valueQueries + estimates * c * CHUNK_DIRECTIONS * perDirection;
  const report: StabilityReport = { threshold: o.threshold, stable: false, correlation: null, checkpoints: [] };

  let previous: Float32Array | undefined;
  for (let c = 1; budgetFor(c) <= queries; c *= 2) {
    ledger.mode = { kind: 'run' };
    const result = await run(budgetFor(c));
    if (previous) {
      ledger.mode = { kind: 'from', first: c / 2 };
      const second = await run(budgetFor(c));
      const correlation = spearman(previous, second.map);
      report.checkpoints.push({ queries: budgetFor(c) + 1, correlation });
      report.correlation = correlation;
      if (correlation >= o.threshold) return { ...result, queries: budgetFor(c), stability: { ...report, stable: true } };
    }
    previous = result.map;
  }
  ledger.mode = { kind: 'run' };
  return { ...(await run(queries)), queries, stability: report };
}
