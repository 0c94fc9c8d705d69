/**
 * A run that grows chunk by chunk (explain/until-stable.ts). Chunk c of estimate e draws from its own stream
 * (chunks.ts), so a whole chunk computed in a smaller run is exactly the chunk a larger run of the same
 * method and seed would compute: this ledger keeps every whole chunk's sums (and f at each estimate's point)
 * and hands them back, so growing from n to 2n queries pays only for the new chunks and ends with the bits of
 * a plain run of 2n. A partial chunk (the last one of a budget that is not a whole number of chunks) is not
 * kept: a larger run would draw more directions into it.
 * Two query-free modes read what is kept: 'count' (learn the estimates, which need f at their point, and how
 * many chunks they have) and 'from' (the estimate from the chunks ≥ `first` only, the others counted as zero).
 */
import { CHUNK_DIRECTIONS, type ChunkLedger } from './chunks.js';

export type GrowingMode = { kind: 'run' } | { kind: 'count' } | { kind: 'from'; first: number };

export class GrowingLedger implements ChunkLedger {
  mode: GrowingMode = { kind: 'run' };
  /** Estimates that asked for f at their point (in 'count' mode: that would have queried it). */
  readonly needsValue = new Set<number>();
  /** Chunks per estimate, as the last run planned them. */
  readonly chunks = new Map<number, number>();
  private readonly values = new Map<number, number>();
  private readonly kept = new Map<string, { sum: Float64Array; squares?: Float64Array }>();
  private zeros: Float64Array | undefined;

  /** `wholeChunkQueries`: the queries of one whole chunk (64 directions; 128 with antithetic pairs). */
  constructor(private readonly wholeChunkQueries = CHUNK_DIRECTIONS) {}

  computes(): boolean {
    return this.mode.kind === 'run';
  }
  record(estimate: number, chunk: number, sum: Float64Array, queries: number, squares?: Float64Array): void {
    if (queries !== this.wholeChunkQueries) return;
    this.kept.set(`${estimate}:${chunk}`, { sum: Float64Array.from(sum), ...(squares ? { squares: Float64Array.from(squares) } : {}) });
  }
  lookup(estimate: number, chunk: number): Float64Array | undefined {
    const kept = this.kept.get(`${estimate}:${chunk}`);
    if (this.mode.kind !== 'from' || chunk >= this.mode.first || !kept) return kept?.sum;
    this.zeros = this.zeros?.length === kept.sum.length ? this.zeros : new Float64Array(kept.sum.length);
    return this.zeros;
  }
  lookupSquares(estimate: number, chunk: number): Float64Array | undefined {
    return this.mode.kind === 'from' ? undefined : this.kept.get(`${estimate}:${chunk}`)?.squares;
  }
  value(estimate: number): number | undefined {
    const known = this.values.get(estimate);
    if (known === undefined) this.needsValue.add(estimate);
    return known;
  }
  computesValue(): boolean {
    return this.mode.kind === 'run';
  }
  recordValue(estimate: number, value: number): void {
    this.values.set(estimate, value);
  }
  plan(estimate: number, chunks: number): void {
    this.chunks.set(estimate, chunks);
  }
}
