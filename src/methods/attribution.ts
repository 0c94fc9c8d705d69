/**
 * The shape every saliency method shares: a point, a budget of queries, a seeded generator in;
 * an attribution (same layout as the input, or one plane for mask-based methods) and the queries spent out.
 */
import type { BatchFunction } from '../core/batch-function.js';
import { invalidArgument } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import type { Shape } from '../core/tensor.js';
import type { ChunkLedger } from '../gradients/chunks.js';
import type { ChannelCovariance } from '../gradients/standard-error.js';

export interface AttributionRequest {
  /** The black-box scalar function, metered. */
  f: BatchFunction;
  /** The input being explained, in model-input space (CHW). */
  x: Float32Array;
  /** Exactly how many queries of f the whole map may spend. */
  queries: number;
  rng: Rng;
  /** f(x), if already paid for. */
  valueAtX?: number;
  signal?: AbortSignal;
  /** Which map of an enclosing method this is (a noise tunnel's copy; default 0): keys the random streams. */
  estimate?: number;
  /** This run is one shard of a job (gradients/chunks.ts); LR, blockwise and RISE honour it, others ignore it. */
  chunks?: ChunkLedger;
}

export interface Attribution {
  /** Attribution values; `shape.channels` is 1 for methods that explain pixels, not channels (RISE). */
  values: Float32Array;
  shape: Shape;
  /** Queries of f spent. */
  queries: number;
  /** Sampling covariance of `values` from the queries (per pixel, between channels), when the method can tell. */
  covariance?: ChannelCovariance;
}

export interface AttributionMethod {
  readonly name: string;
  /** Fewest queries this method needs for one map. */
  readonly minQueries: number;
  attribute(request: AttributionRequest): Promise<Attribution>;
}

export function requireBudget(method: string, queries: number, minimum: number, why: string): void {
  if (!Number.isInteger(queries) || queries < minimum) {
    throw invalidArgument(`${method} needs at least ${minimum} queries (${why}), got ${queries}`);
  }
}
