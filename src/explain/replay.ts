/**
 * Every class from the same queries. The LR, blockwise and RISE directions depend only on the seeded
 * generator, never on f's answers, so a run for class b with the same seed and budget sends exactly the
 * queries a run for class a sent. The first class's run queries the model and records, per query, the value
 * of every requested class; the other classes' runs replay those values instead of querying. Each class's map
 * is then byte-identical to a single-class run with the same seed and budget, for the price of one run.
 * Only the K requested values per query are kept (memory K·n doubles), and each batch's inputs are
 * fingerprinted so a replay that would diverge (an adaptive source) fails loudly instead of lying.
 * The focused source is adaptive; with several classes its followers take the first class's cell ranking
 * (gradients/focus-sharing.ts), so they too ask exactly the recorded queries.
 */
import type { BatchFunction } from '../core/batch-function.js';
import { LrsalError } from '../core/errors.js';

export interface Recording {
  /** Queries the model with `f` and keeps every class's value. */
  readonly record: BatchFunction;
  /** f of class k (k ≥ 1) from the recording, in the order the queries were made. */
  replay(k: number): BatchFunction;
}

/** `values(inputs, count)` → count × K values, row-major (class-major within a query). */
export function recording(
  shape: BatchFunction['shape'],
  classes: number,
  values: (inputs: Float32Array, count: number, signal?: AbortSignal) => Promise<Float64Array>,
): Recording {
  const rows: Float64Array[] = [];
  const prints: number[] = [];
  return {
    record: {
      shape,
      async evaluate(inputs, count, signal) {
        const all = await values(inputs, count, signal);
        rows.push(all);
        prints.push(fingerprint(inputs));
        return Float64Array.from({ length: count }, (_, i) => all[i * classes]!);
      },
    },
    replay(k) {
      let call = 0;
      return {
        shape,
        async evaluate(inputs, count) {
          const all = rows[call];
          if (!all || all.length !== count * classes || prints[call] !== fingerprint(inputs)) {
            throw new LrsalError('UNSUPPORTED', 'a replayed class asked other queries than the recorded run (an adaptive gradient source cannot share queries across classes)');
          }
          call++;
          return Float64Array.from({ length: count }, (_, i) => all[i * classes + k]!);
        },
      };
    },
  };
}

/** A cheap checksum of a batch's inputs (a strided sample is enough to catch a diverging replay). */
function fingerprint(inputs: Float32Array): number {
  let h = inputs.length;
  const step = Math.max(1, Math.floor(inputs.length / 4096));
  for (let i = 0; i < inputs.length; i += step) h = (Math.imul(h, 31) + Math.round(inputs[i]! * 1e6)) | 0;
  return h;
}
