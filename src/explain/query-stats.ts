/** Running statistics of f over a run's queries (Welford), so a caller can see whether the noise moved f at all. */
import type { BatchFunction } from '../core/batch-function.js';

export interface QueryStats {
  /** Queries observed (the prediction query included). */
  count: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  /** Queries whose f differed from f(x): for a hard label, how often the noise changed the answer. */
  changed: number;
}

export function observed(f: BatchFunction, valueAtX: number): { f: BatchFunction; stats: () => QueryStats } {
  let count = 1;
  let mean = valueAtX;
  let m2 = 0;
  let min = valueAtX;
  let max = valueAtX;
  let changed = 0;
  return {
    f: {
      shape: f.shape,
      async evaluate(inputs, n, signal) {
        const values = await f.evaluate(inputs, n, signal);
        for (const v of values) {
          count++;
          const delta = v - mean;
          mean += delta / count;
          m2 += delta * (v - mean);
          if (v < min) min = v;
          if (v > max) max = v;
          if (v !== valueAtX) changed++;
        }
        return values;
      },
    },
    stats: () => ({ count, mean, std: count > 1 ? Math.sqrt(m2 / (count - 1)) : 0, min, max, changed }),
  };
}
