/**
 * JS-only cost per query of the estimators' hot loop (noise, perturbed inputs, accumulation), measured
 * with a dummy f that answers instantly, so nothing but the estimator's own work is timed. Single-threaded
 * and timed in process CPU time (not wall time), so other jobs on the machine barely move it; the fastest
 * of the repeats is reported (noise only ever adds time).
 * Usage: node dist/bench/hot-loop.js [--queries 400] [--repeats 7]
 */
import { parseArgs } from 'node:util';
import type { BatchFunction } from '../src/core/batch-function.js';
import { kernelImplementation } from '../src/core/kernels/index.js';
import { Rng } from '../src/core/rng.js';
import type { Shape } from '../src/core/tensor.js';
import { createGradientSource, type GradientSettings } from '../src/gradients/registry.js';
import { accumulateRegion, directionBuffers, fullRegion, writePerturbed } from '../src/gradients/regions.js';

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

/** CPU microseconds (user + system) spent in fn. */
function cpuMicros(fn: () => void): number {
  const t = process.cpuUsage();
  fn();
  const u = process.cpuUsage(t);
  return u.user + u.system;
}

async function cpuMicrosAsync(fn: () => Promise<unknown>): Promise<number> {
  const t = process.cpuUsage();
  await fn();
  const u = process.cpuUsage(t);
  return u.user + u.system;
}

/** CPU microseconds per query of one estimator run with the dummy f (fastest of `repeats`). */
export async function estimatorMicros(name: string, queries: number, repeats: number, batch = 8, settings: Partial<GradientSettings> = {}): Promise<number> {
  const f = dummyFunction(IMAGE);
  const x = new Float32Array(IMAGE.channels * IMAGE.height * IMAGE.width).fill(0.25);
  const source = createGradientSource(name, IMAGE, { sigma: 0.05, batchSize: batch, ...settings });
  await source.estimate({ f, x, queries: 4 * batch, rng: new Rng(0) }); // warm-up (JIT, kernel compile)
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) times.push((await cpuMicrosAsync(() => source.estimate({ f, x, queries, rng: new Rng(r + 1) }))) / queries);
  return Math.min(...times);
}

/**
 * CPU microseconds per full-image call of each hot-loop piece (fastest of `repeats`), on plain arrays
 * (JS, or the fill staged through kernel scratch) and on arrays in kernel memory (kernels in place).
 */
export function pieceMicros(repeats: number): Record<string, Record<string, number>> {
  const d = IMAGE.channels * IMAGE.height * IMAGE.width;
  const region = fullRegion(IMAGE);
  const reps = 20;
  const time = (fn: () => void) => {
    fn();
    const v: number[] = [];
    for (let r = 0; r < repeats; r++) v.push(cpuMicros(() => { for (let i = 0; i < reps; i++) fn(); }) / reps);
    return Number(Math.min(...v).toFixed(1));
  };
  const plain = { x: new Float32Array(d).fill(0.25), inputs: new Float32Array(d), noise: [new Float32Array(d)], acc: new Float64Array(d) };
  const arena = directionBuffers(plain.x, 1, d);
  const result: Record<string, Record<string, number>> = {};
  for (const [name, b] of [['plainArrays', { ...plain, base: plain.x }], ['kernelMemory', arena]] as const) {
    const rng = new Rng(1);
    const noise = b.noise[0]!;
    result[name] = {
      fillNormal: time(() => rng.fillNormal(noise, 0, d, 0.05)),
      writePerturbed: time(() => writePerturbed(b.inputs, 0, b.base, noise, 1, IMAGE, region)),
      accumulateRegion: time(() => accumulateRegion(b.acc, noise, 0.3, IMAGE, region)),
    };
  }
  arena.release();
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { queries: { type: 'string', default: '400' }, repeats: { type: 'string', default: '7' } } });
  const q = Number(values.queries);
  const r = Number(values.repeats);
  const report = {
    kernels: kernelImplementation(),
    microsPerQuery: {
      lr: Number((await estimatorMicros('lr', q, r)).toFixed(1)),
      // Full-dimensional noise: the heaviest hot loop (one normal per input value per query).
      lrIid: Number((await estimatorMicros('lr', q, r, 8, { noise: 'iid', tile: 1 })).toFixed(1)),
      blockwise: Number((await estimatorMicros('blockwise', q, r)).toFixed(1)),
    },
    microsPerFullImageCall: pieceMicros(r),
  };
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
}
