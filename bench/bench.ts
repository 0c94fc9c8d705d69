/**
 * `npm run bench`: estimator cost against raw inference on the bundled model, and memory against n.
 * Prints one JSON object. Times are compared as ratios within one run (these machines are noisy):
 *   overheadRatio = estimator wall time ÷ wall time of the same number of raw batched model calls.
 * Goals: overhead ≤ 1.05 at n = 1000; peak RSS at n = 10,000 ≤ 1.2 × that at n = 100.
 * Wall-clock ratios swing with other jobs on the machine (a loaded machine slows inference more than
 * the estimators' JS, flattering the ratio), so the report also gives the estimators' own CPU time per
 * query with an instant dummy f (hot-loop.ts) and the overhead that implies against the fastest raw call:
 *   jsOverheadRatio = 1 + (JS-only µs per query) / (best raw inference µs per query).
 * Remote speed: remoteThroughputRatio = achieved queries/s ÷ (concurrency / latency) against the stand-in with
 * 100 ms latency at concurrency 16 (goal ≥ 0.8; see remote-throughput.ts).
 * Usage: node dist/bench/bench.js [--queries 1000] [--batch 8] [--repeats 3] [--memory-queries 10000]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { metered, QueryLedger } from '../src/core/ledger.js';
import { kernelImplementation } from '../src/core/kernels/index.js';
import { Rng } from '../src/core/rng.js';
import { createGradientSource } from '../src/gradients/registry.js';
import { rise } from '../src/methods/rise.js';
import { loadClassifier } from '../src/models/classifier.js';
import { scoreFunction } from '../src/objectives/scores.js';
import { estimatorMicros } from './hot-loop.js';
import { kittenPath } from './paths.js';
import { remoteThroughputReport } from './remote-throughput.js';
import { scaleBench } from './scale.js';

const { values: args } = parseArgs({
  options: {
    queries: { type: 'string', default: '1000' },
    batch: { type: 'string', default: '8' },
    repeats: { type: 'string', default: '3' },
    'memory-queries': { type: 'string', default: '10000' },
    'memory-child': { type: 'string' },
    gradient: { type: 'string', default: 'lr' },
  },
});

const n = Number(args.queries);
const batch = Number(args.batch);
const classifier = await loadClassifier({ maxBatch: batch });
const { input: x } = await classifier.prepare(kittenPath());
const shape = classifier.model.inputShape;

async function estimatorRun(name: string, queries: number): Promise<number> {
  const ledger = new QueryLedger(queries);
  const f = metered(scoreFunction(classifier.model, 'logit', 281), ledger);
  const t = performance.now();
  if (name === 'rise') await rise({ batchSize: batch }).attribute({ f, x, queries, rng: new Rng(1) });
  else {
    const source = createGradientSource(name, shape, { sigma: 0.05, batchSize: batch });
    await source.estimate({ f, x, queries, rng: new Rng(1) });
  }
  if (ledger.spent !== queries) throw new Error(`${name} spent ${ledger.spent} of ${queries}`);
  return performance.now() - t;
}

/** Fastest raw model call seen, in ms per query: inference as it runs when the machine leaves it alone. */
let bestRawMsPerQuery = Infinity;

async function rawRun(queries: number): Promise<number> {
  const inputs = new Float32Array(batch * x.length);
  for (let b = 0; b < batch; b++) inputs.set(x, b * x.length);
  const t = performance.now();
  for (let done = 0; done < queries; done += batch) {
    const k = Math.min(batch, queries - done);
    const call = performance.now();
    await classifier.model.scores(inputs.subarray(0, k * x.length), k);
    bestRawMsPerQuery = Math.min(bestRawMsPerQuery, (performance.now() - call) / k);
  }
  return performance.now() - t;
}

if (args['memory-child']) {
  // Child mode: one estimator run, report peak RSS.
  await estimatorRun(args.gradient, Number(args['memory-child']));
  process.stdout.write(JSON.stringify({ maxRssMiB: process.resourceUsage().maxRSS / 1024 }) + '\n');
  await classifier.dispose();
  process.exit(0);
}

await rawRun(2 * batch); // warm-up
const names = ['lr', 'blockwise', 'focused', 'rise'];
const raw: number[] = [];
const est: Record<string, number[]> = Object.fromEntries(names.map((k) => [k, []]));
// Interleave raw and estimator runs so drift in machine load hits both alike.
for (let r = 0; r < Number(args.repeats); r++) {
  raw.push(await rawRun(n));
  for (const name of names) est[name]!.push(await estimatorRun(name, n));
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const rawMs = median(raw);
const rawMicrosPerQuery = 1000 * bestRawMsPerQuery;
const jsMicros: Record<string, number> = {};
for (const name of ['lr', 'blockwise', 'focused']) jsMicros[name] = await estimatorMicros(name, n, Number(args.repeats) + 2, batch);
// lr's default noise is structured (few coefficients per query); iid noise is the full-dimensional worst case.
const jsMicrosLrIid = await estimatorMicros('lr', n, Number(args.repeats) + 2, batch, { noise: 'iid', tile: 1 });
const estimators = Object.fromEntries(
  names.map((name) => {
    const wall = { wallMs: Math.round(median(est[name]!)), overheadRatio: Number((median(est[name]!) / rawMs).toFixed(3)) };
    const js = jsMicros[name];
    if (js === undefined) return [name, wall];
    return [name, { ...wall, jsMicrosPerQuery: Number(js.toFixed(1)), jsOverheadRatio: Number((1 + js / rawMicrosPerQuery).toFixed(3)) }];
  }),
);
await classifier.dispose();

function peakRss(gradient: string, queries: number): number {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, [self, '--memory-child', String(queries), '--gradient', gradient, '--batch', String(batch)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`memory child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!).maxRssMiB;
}
const memQ = Number(args['memory-queries']);
const memory = Object.fromEntries(
  ['lr', 'blockwise', 'focused'].map((g) => {
    const small = peakRss(g, 100);
    const large = peakRss(g, memQ);
    return [g, { peakRssMiB100: Math.round(small), [`peakRssMiB${memQ}`]: Math.round(large), ratio: Number((large / small).toFixed(3)) }];
  }),
);

// Remote speed (issue 10 §4): latency-bound stand-in, 100 ms per request, concurrency 16 (remote-throughput.ts).
const remote = await remoteThroughputReport();
// Batch scaling across worker threads and through Redis (scale.ts): workerScaling, redisOverheadRatio.
const scale = await scaleBench();

const report = {
  model: 'squeezenet1.1 (bundled)',
  queries: n,
  batch,
  repeats: Number(args.repeats),
  kernels: kernelImplementation(),
  rawInference: { wallMs: Math.round(rawMs), msPerQuery: Number((rawMs / n).toFixed(3)), bestMsPerQuery: Number(bestRawMsPerQuery.toFixed(3)) },
  estimators,
  lrIidNoise: { jsMicrosPerQuery: Number(jsMicrosLrIid.toFixed(1)), jsOverheadRatio: Number((1 + jsMicrosLrIid / rawMicrosPerQuery).toFixed(3)) },
  memory,
  remoteThroughputRatio: remote.remoteThroughputRatio,
  remote: remote.runs,
  scale,
  workerScaling: scale.workerScaling,
  redisOverheadRatio: scale.redisOverheadRatio,
  goals: {
    overheadAtMost: 1.05,
    memoryRatioAtMost: 1.2,
    remoteThroughputRatioAtLeast: remote.goal,
    met: {
      overhead: Object.fromEntries(names.filter((k) => k !== 'rise').map((k) => [k, estimators[k]!.overheadRatio <= 1.05])),
      jsOverhead: Object.fromEntries(Object.keys(jsMicros).map((k) => [k, 1 + jsMicros[k]! / rawMicrosPerQuery <= 1.05])),
      memory: Object.fromEntries(Object.entries(memory).map(([k, v]) => [k, v.ratio <= 1.2])),
      remoteThroughput: remote.met,
    },
  },
};
process.stdout.write(JSON.stringify(report, null, 2) + '\n');
