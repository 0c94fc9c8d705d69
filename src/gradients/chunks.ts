/**
 * Shardable sums. The LR, blockwise and RISE sums are cut into chunks of CHUNK_DIRECTIONS directions (masks
 * for RISE); chunk c of estimate e draws its randomness from its own stream, request.rng.derive([e, c]),
 * and sums into its own Float64 partial, which is then added to the estimate's total in chunk order.
 * A single run does exactly that arithmetic; so does a run whose chunks were computed elsewhere (other
 * threads, other machines) and handed back through a ChunkLedger: the map is byte-identical however
 * the chunks were split. An "estimate" is one gradient estimate (IG step, SmoothGrad copy) or one RISE map.
 */

/** Directions per chunk: a multiple of every usual batch size, small enough to split a 1000-query map. */
export const CHUNK_DIRECTIONS = 64;

/**
 * Where chunks come from and go to, when a run is one shard of a larger job. Absent: compute everything.
 * Estimators ask, for each estimate, for f(x) when they need it, and for each chunk, whether to compute it
 * here, or take the sum computed elsewhere.
 */
export interface ChunkLedger {
  /** Compute chunk `chunk` of estimate `estimate` in this run? */
  computes(estimate: number, chunk: number): boolean;
  /**
   * Receives a chunk computed here: its partial sum (the callee copies it), the queries it spent, and (lr,
   * blockwise) its partial sum of squares for the standard error (gradients/standard-error.ts; copied too).
   */
  record(estimate: number, chunk: number, sum: Float64Array, queries: number, squares?: Float64Array): void;
  /** A chunk computed elsewhere, or undefined (then computes() decides: compute it or leave it out). */
  lookup(estimate: number, chunk: number): Float64Array | undefined;
  /** That chunk's sum of squares, when kept (without it the estimate reports no standard error). */
  lookupSquares?(estimate: number, chunk: number): Float64Array | undefined;
  /** f at the estimate's point, when known (queried by an earlier shard). */
  value(estimate: number): number | undefined;
  /** May this run query f at the estimate's point when value() is unknown? */
  computesValue(estimate: number): boolean;
  recordValue(estimate: number, value: number): void;
  /** Told once per estimate how many chunks it has (lets a planner split the job). */
  plan(estimate: number, chunks: number): void;
}

/** Number of chunks of `directions` directions. */
export function chunkCount(directions: number): number {
  return Math.ceil(directions / CHUNK_DIRECTIONS);
}
