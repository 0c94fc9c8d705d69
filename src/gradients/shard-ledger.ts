/**
 * Running one map as several shards (gradients/chunks.ts explains why they merge exactly). A job has
 * three kinds of run, all the same method code with a different ChunkLedger:
 *   plan   queries f at each estimate's point when the estimator needs it, computes no chunk, and learns
 *          how many chunks each estimate has;
 *   shard  computes one range of chunks of one estimate, given the plan's f values;
 *   merge  computes nothing: every chunk sum comes from the shards, added in chunk order as in a single run.
 * Focused (sequential by nature) and backprop ignore ledgers: such jobs are not split (one shard per image).
 */
import { LrsalError } from '../core/errors.js';
import type { ChunkLedger } from './chunks.js';

export interface ChunkRange {
  estimate: number;
  /** First and last chunk, inclusive. */
  first: number;
  last: number;
}

export interface ChunkSum {
  estimate: number;
  chunk: number;
  sum: Float64Array;
  queries: number;
  /** Sums of squares for the standard error (merge like sums; absent in sums stored before they existed). */
  squares?: Float64Array;
}

/** What a plan run learns: f at the estimates' points and each estimate's chunk count. */
export interface ShardPlan {
  values: Record<number, number>;
  chunks: Record<number, number>;
}

export function shardId(r: ChunkRange): string {
  return `e${r.estimate}-c${r.first}-${r.last}`;
}

/** Cut every estimate's chunks into ranges of at most `chunksPerShard`, in (estimate, chunk) order. */
export function splitPlan(plan: ShardPlan, chunksPerShard: number): ChunkRange[] {
  if (!(Number.isInteger(chunksPerShard) && chunksPerShard >= 1)) throw new LrsalError('INVALID_ARGUMENT', `chunks per shard must be an integer ≥ 1, got ${chunksPerShard}`);
  const ranges: ChunkRange[] = [];
  const estimates = Object.keys(plan.chunks).map(Number).sort((a, b) => a - b);
  for (const estimate of estimates) {
    const n = plan.chunks[estimate]!;
    for (let first = 0; first < n; first += chunksPerShard) ranges.push({ estimate, first, last: Math.min(n, first + chunksPerShard) - 1 });
  }
  return ranges;
}

/** The ledger of a plan run. */
export class PlanLedger implements ChunkLedger {
  readonly result: ShardPlan = { values: {}, chunks: {} };
  computes(): boolean {
    return false;
  }
  record(): void {}
  lookup(): undefined {
    return undefined;
  }
  value(estimate: number): number | undefined {
    return this.result.values[estimate];
  }
  computesValue(): boolean {
    return true;
  }
  recordValue(estimate: number, value: number): void {
    this.result.values[estimate] = value;
  }
  plan(estimate: number, chunks: number): void {
    this.result.chunks[estimate] = chunks;
  }
}

/** The ledger of a shard run: computes `range`, collects its sums. */
export class ShardRunLedger implements ChunkLedger {
  readonly sums: ChunkSum[] = [];
  constructor(
    private readonly known: ShardPlan,
    private readonly range: ChunkRange,
    /** Keep the chunks' sums of squares too (for a merged standard error; batch maps do not use them). */
    private readonly keepSquares = false,
  ) {}
  computes(estimate: number, chunk: number): boolean {
    return estimate === this.range.estimate && chunk >= this.range.first && chunk <= this.range.last;
  }
  record(estimate: number, chunk: number, sum: Float64Array, queries: number, squares?: Float64Array): void {
    this.sums.push({ estimate, chunk, sum: Float64Array.from(sum), queries, ...(squares && this.keepSquares ? { squares: Float64Array.from(squares) } : {}) });
  }
  lookup(): undefined {
    return undefined;
  }
  value(estimate: number): number | undefined {
    return this.known.values[estimate];
  }
  computesValue(): boolean {
    return false;
  }
  recordValue(): void {}
  plan(): void {}
  get queries(): number {
    return this.sums.reduce((s, c) => s + c.queries, 0);
  }
}

/** The ledger of a merge run: every chunk must be known. */
export class MergeLedger implements ChunkLedger {
  private readonly byKey = new Map<string, ChunkSum>();
  constructor(
    private readonly known: ShardPlan,
    sums: Iterable<ChunkSum>,
  ) {
    for (const s of sums) this.byKey.set(`${s.estimate}:${s.chunk}`, s);
  }
  computes(estimate: number, chunk: number): boolean {
    throw new LrsalError('SHARD_INCOMPLETE', `cannot merge: chunk ${chunk} of estimate ${estimate} was never computed`);
  }
  record(): void {}
  lookup(estimate: number, chunk: number): Float64Array | undefined {
    return this.byKey.get(`${estimate}:${chunk}`)?.sum;
  }
  lookupSquares(estimate: number, chunk: number): Float64Array | undefined {
    return this.byKey.get(`${estimate}:${chunk}`)?.squares;
  }
  value(estimate: number): number | undefined {
    return this.known.values[estimate];
  }
  computesValue(): boolean {
    return false;
  }
  recordValue(): void {}
  plan(): void {}
}
