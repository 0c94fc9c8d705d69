/**
 * One interface for every way of getting ∇f(x): the black-box estimators (likelihood-ratio, blockwise)
 * and, for comparison, exact backprop. Methods (vanilla, SmoothGrad, IG, …) take any of them.
 */
import type { BatchFunction } from '../core/batch-function.js';
import type { Rng } from '../core/rng.js';
import type { ChunkLedger } from './chunks.js';
import type { ChannelCovariance } from './standard-error.js';

export interface GradientRequest {
  /** The black-box scalar function (already metered: every evaluation is charged). */
  f: BatchFunction;
  /** The point, in model-input space (CHW). */
  x: Float32Array;
  /** Exactly how many queries of f this estimate may spend. */
  queries: number;
  /** Source of all randomness. */
  rng: Rng;
  /** f(x), when the caller already paid for it (saves the baseline query). */
  valueAtX?: number;
  signal?: AbortSignal;
  /** Which estimate of the method this is (IG step, SmoothGrad copy; default 0): keys its random streams. */
  estimate?: number;
  /** When this run is one shard of a job: which chunks to compute here, and the ones computed elsewhere (chunks.ts). */
  chunks?: ChunkLedger;
}

export interface GradientEstimate {
  /** ∂f/∂x, same layout as x. */
  gradient: Float32Array;
  /** Queries of f actually spent. */
  queries: number;
  /** Sampling covariance of the estimate (per pixel, between its channels), when the source can tell (lr, blockwise). */
  covariance?: ChannelCovariance;
}

export interface GradientSource {
  readonly name: string;
  /** Fewest queries one estimate needs (given f(x) is not known). */
  readonly minQueries: number;
  estimate(request: GradientRequest): Promise<GradientEstimate>;
  /**
   * Optional: the mean of ∇f over several points from one budget, for sources that gain from sharing work
   * across points (focused: one survey for Integrated Gradients' whole path). Needs at least points + 1 queries.
   */
  estimateMean?(request: MeanGradientRequest): Promise<GradientEstimate>;
  /**
   * Optional: ∫₀¹ ∇f(from + α(to − from)) dα as ONE estimate from one budget, each query at its own random α
   * (lr, blockwise: path-integral.ts). Integrated Gradients uses it with path 'sampled'.
   */
  estimatePath?(request: PathGradientRequest): Promise<GradientEstimate>;
  /** Fewest queries estimatePath needs with `anchors` path anchors. */
  pathMinQueries?(anchors: number): number;
}

export interface PathGradientRequest extends Omit<GradientRequest, 'x' | 'valueAtX' | 'chunks'> {
  /** The path's start (IG baseline) and end (the input). */
  from: Float32Array;
  to: Float32Array;
  /** f is queried at anchors + 1 evenly spaced path points for baseline subtraction (IG passes its steps). */
  anchors: number;
}

export interface MeanGradientRequest extends Omit<GradientRequest, 'x' | 'valueAtX' | 'estimate' | 'chunks'> {
  points: Float32Array[];
}
