/**
 * JS-only cost per query of the estimators' hot loop (noise, perturbed inputs, accumulation), measured
 * with a dummy f that answers instantly, so nothing but the estimator's own work is timed. Single-threaded,
 * so it is far less sensitive to other jobs on the machine than wall-clock ratios against onnxruntime.
 * Usage: node dist/bench/hot-loop.js [--queries 400] [--repeats 7]
 */
import { parseArgs } from 'node:util';
import type { BatchFunction } from '../src/core/batch-function.js';
import { Rng } from '../src/core/rng.js';
import type { Shape } from '../src/core/tensor.js';
import { createGradientSource } from '../src/gradients/registry.js';
import { accumulateRegion, fullRegion, writePerturbed } from '../src/gradients/regions.js';

export const IMAGE: Shape = { channels: 3, height: 224, width: 224 };

/** f that costs nothing: returns a cheap function of one input value so weights vary. */
export function dummyFunction(shape: Shape): BatchFunction {
  const d = shape.channels * shape.height * shape.width;
  return {
    shape,
    async evaluate(inputs, count) {
      const out = new Float64Array(count);
      for (let k = 0; k < count; k++) out[k] = inputs[k * d + 1000]!;
      return out;
    },
  };
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

/** Median microseconds per query of one estimator run with the dummy f. */
export async function estimatorMicros(name: string, queries: number, repeats: number, batch = 8): Promise<number> {
  const f = dummyFunction(IMAGE);
  const x = new Float32Array(IMAGE.channels * IMAGE.height * IMAGE.width).fill(0.25);
  const source = createGradientSource(name, IMAGE, { sigma: 0.05, batchSize: batch });
  await source.estimate({ f, x, queries: 4 * batch, rng: new Rng(0) }); // warm-up (JIT, kernel compile)
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t = performance.now();
    await source.estimate({ f, x, queries, rng: new Rng(r + 1) });
    times.push(((performance.now() - t) * 1000) / queries);
  }
  return median(times);
}

/** Median microseconds per full-image call of each hot-loop piece. */
export function pieceMicros(repeats: number): Record<string, number> {
  const d = IMAGE.channels * IMAGE.height * IMAGE.width;
  const noise = new Float32Array(d);
  const out = new Float32Array(d);
  const base = new Float32Array(d).fill(0.25);
  const acc = new Float64Array(d);
  const rng = new Rng(1);
  const region = fullRegion(IMAGE);
  const reps = 20;
  const time = (fn: () => void) => {
    fn();
    const v: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const t = performance.now();
      for (let i = 0; i < reps; i++) fn();
      v.push(((performance.now() - t) * 1000) / reps);
    }
    return Number(median(v).toFixed(1));
  };
  return {
    fillNormal: time(() => rng.fillNormal(noise, 0, d, 0.05)),
    writePerturbed: time(() => writePerturbed(out, 0, base, noise, 1, IMAGE, region)),
    accumulateRegion: time(() => accumulateRegion(acc, noise, 0.3, IMAGE, region)),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { queries: { type: 'string', default: '400' }, repeats: { type: 'string', default: '7' } } });
  const q = Number(values.queries);
  const r = Number(values.repeats);
  const report = {
    microsPerQuery: { lr: Number((await estimatorMicros('lr', q, r)).toFixed(1)), blockwise: Number((await estimatorMicros('blockwise', q, r)).toFixed(1)) },
    microsPerFullImageCall: pieceMicros(r),
  };
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
}
