/**
 * A map that sharpens while queries arrive: the budget is split into rounds, each an independent `explain()`
 * with its own seed (seed + round · 1,000,003) and the first round's target, and the attribution shown after
 * round k is the query-weighted mean of rounds 1..k. The estimators are sums of per-query terms, so the mean
 * of rounds of n/k queries is an estimate of the same thing as one run of n queries (each round spends one
 * extra query on its own prediction; `focused` loses some of its adaptivity across rounds). With one round the
 * map is exactly `lrsal explain`'s. The running sum is handed out after every round, so an interrupted job
 * resumes from its last finished round and ends with the map it would have had.
 */
import { LrsalError } from '../../core/errors.js';
import type { LedgerProgress } from '../../core/ledger.js';
import type { Shape } from '../../core/tensor.js';
import { explain, type ExplainOptions, type Explanation } from '../../explain/index.js';
import { reduceChannels, type ChannelReduction } from '../../methods/channel-reduction.js';
import type { Classifier } from '../../models/classifier.js';

export const ROUND_SEED_STRIDE = 1_000_003;

/** What is kept between rounds (and on disk, for resuming). */
export interface RoundsState {
  roundsDone: number;
  /** Queries spent by the finished rounds, prediction queries included. */
  queriesDone: number;
  /** Σ over finished rounds of (map queries · attribution). */
  weightedSum: Float32Array | undefined;
  /** Σ of the weights (map queries of finished rounds). */
  weight: number;
  shape: Shape | undefined;
  /** The target fixed by the first round (index). */
  target: number | undefined;
}

export interface RoundsOptions extends Omit<ExplainOptions, 'onProgress' | 'queries' | 'seed'> {
  queries: number;
  seed: number;
  rounds: number;
  reduction: ChannelReduction;
  onProgress?: (done: number, total: number) => void;
  /** After each round: the state to keep, the map so far (H×W) and the round's explanation. */
  onRound?: (state: RoundsState, map: Float32Array, last: Explanation) => Promise<void> | void;
}

export function emptyRoundsState(): RoundsState {
  return { roundsDone: 0, queriesDone: 0, weightedSum: undefined, weight: 0, shape: undefined, target: undefined };
}

/** Queries of round k (0-based) when `total` is split into `rounds` nearly equal parts. */
export function roundBudget(total: number, rounds: number, k: number): number {
  return Math.floor(total / rounds) + (k < total % rounds ? 1 : 0);
}

export interface RoundsResult {
  map: Float32Array;
  attribution: Float32Array;
  shape: Shape;
  state: RoundsState;
  /** The last round run by this call (image, predictions, target, sigma); none when stopped before any. */
  last?: Explanation;
  /** False when a stop came before the last round. */
  complete: boolean;
}

/**
 * Run the remaining rounds from `state`. A graceful stop (options.stopSignal) between or inside rounds ends
 * the run with the rounds finished so far (`complete: false`); with none finished it rethrows ABORTED.
 */
export async function explainInRounds(classifier: Classifier, image: Buffer, options: RoundsOptions, state = emptyRoundsState()): Promise<RoundsResult> {
  const { rounds, queries, seed, onProgress, onRound, ...rest } = options;
  let last: Explanation | undefined;
  let complete = true;
  for (let k = state.roundsDone; k < rounds; k++) {
    if (options.stopSignal?.aborted) {
      complete = false;
      break;
    }
    const budget = roundBudget(queries, rounds, k);
    const before = state.queriesDone;
    let explanation: Explanation;
    try {
      explanation = await explain(classifier, image, {
        ...rest,
        queries: budget,
        seed: seed + k * ROUND_SEED_STRIDE,
        ...(state.target !== undefined ? { target: state.target } : {}),
        onProgress: (p: LedgerProgress) => onProgress?.(before + p.spent, queries),
      });
    } catch (error) {
      if (error instanceof LrsalError && error.code === 'ABORTED' && state.roundsDone > 0) {
        complete = false;
        break;
      }
      throw error;
    }
    state = accumulate(state, explanation);
    last = explanation;
    await onRound?.(state, currentMap(state, options.reduction), explanation);
  }
  if (!state.weightedSum || !state.shape) throw new LrsalError('ABORTED', 'stopped before the first round finished');
  // One round run here: its own attribution (w·a/w in float32 could differ in the last bit), so the map is explain()'s.
  const attribution = state.roundsDone === 1 && last ? last.attribution : meanAttribution(state);
  return {
    map: reduceChannels(attribution, state.shape, options.reduction),
    attribution,
    shape: state.shape,
    state,
    ...(last ? { last } : {}),
    complete: complete && state.roundsDone === rounds,
  };
}

function accumulate(state: RoundsState, e: Explanation): RoundsState {
  const w = e.queries - 1; // the round's map queries (its prediction query excluded)
  const sum = state.weightedSum ?? new Float32Array(e.attribution.length);
  for (let i = 0; i < sum.length; i++) sum[i]! += w * e.attribution[i]!;
  return { roundsDone: state.roundsDone + 1, queriesDone: state.queriesDone + e.queries, weightedSum: sum, weight: state.weight + w, shape: e.attributionShape, target: e.target.index };
}

function meanAttribution(state: RoundsState): Float32Array {
  return state.weightedSum!.map((v) => v / state.weight);
}

export function currentMap(state: RoundsState, reduction: ChannelReduction): Float32Array {
  return reduceChannels(meanAttribution(state), state.shape!, reduction);
}
