/**
 * Batch scaling, for `npm run bench` (or alone: node dist/bench/scale.js [--images 6] [--queries 400]):
 *   workerScaling      images/s with 2 embedded worker threads ÷ images/s with 1 (goal ≥ 1.7 on 2 cores);
 *   redisOverheadRatio wall time of the same batch through Redis + 2 worker processes ÷ 2 embedded threads
 *                      (goal ≤ 1.1; null when redis-server is missing).
 * Pools and workers are started and warmed before timing (model loading is not throughput). The machine
 * may be shared: the report carries the raw times and the load average so a low ratio can be read.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { batchImages, runBatch } from '../src/batch/coordinator.js';
import type { BatchExplainOptions } from '../src/batch/image-runs.js';
import { classifierCache, onnxPathOf, sha256File } from '../src/batch/models.js';
import { threadRunner, type TaskRunner } from '../src/batch/runners.js';
import { BatchStore } from '../src/batch/store.js';
import { EXPLAIN_DEFAULTS } from '../src/explain/index.js';
import { packageRoot } from '../src/models/config.js';

export interface ScaleReport {
  images: number;
  queriesPerImage: number;
  cores: number;
  loadAverageBefore: number[];
  loadAverageAfter: number[];
  /** coresBusy: this process's CPU seconds per wall second (for redis2 only the coordinator's). */
  embedded1: { seconds: number; imagesPerSecond: number; coresBusy: number };
  embedded2: { seconds: number; imagesPerSecond: number; coresBusy: number };
  redis2: { seconds: number; imagesPerSecond: number; coresBusy: number } | null;
  workerScaling: number;
  redisOverheadRatio: number | null;
  goals: { workerScalingAtLeast: number; redisOverheadAtMost: number; met: { workerScaling: boolean; redisOverhead: boolean | null } };
}

export async function scaleBench(images = 6, queries = 400): Promise<ScaleReport> {
  const dir = mkdtempSync(join(tmpdir(), 'lrsal-scale-'));
  const sources = ['kitten_224.png', 'fish.png'].map((f) => join(packageRoot(), 'examples', f));
  const paths = Array.from({ length: images }, (_, i) => {
    const path = join(dir, `image-${i}.png`);
    copyFileSync(sources[i % sources.length]!, path);
    return path;
  });
  const options = { ...EXPLAIN_DEFAULTS, method: 'vanilla', gradient: 'blockwise', queries, batchSize: 8 } as BatchExplainOptions & { queries: number };
  const model = { sha256: await sha256File(await onnxPathOf(undefined)) };
  const local = classifierCache();
  let round = 0;
  const timed = async (runner: TaskRunner, sendImages = false) => {
    const run = async (list: string[]) => {
      const out = join(dir, `out-${round++}`);
      const store = new BatchStore(out);
      await store.open({ round });
      const t = performance.now();
      const cpu = process.cpuUsage();
      const outcome = await runBatch({ images: batchImages(list), options, model, store, runner, classifier: () => local.resolve(model), sendImages });
      if (outcome.failed.length) throw new Error(`bench batch failed: ${outcome.failed[0]!.error}`);
      const used = process.cpuUsage(cpu);
      const wall = (performance.now() - t) / 1000;
      return { wall, cpu: (used.user + used.system) / 1e6 };
    };
    await run(paths.slice(0, 2)); // warm-up: workers load the model
    const { wall: seconds, cpu } = await run(paths);
    // CPU seconds of this process (all its threads) per wall second: ~2 when 2 threads really run at once.
    return { seconds: Number(seconds.toFixed(2)), imagesPerSecond: Number((images / seconds).toFixed(3)), coresBusy: Number((cpu / seconds).toFixed(2)) };
  };
  const loadAverageBefore = loadavg().map((v) => Number(v.toFixed(2)));
  const one = threadRunner(1);
  const embedded1 = await timed(one);
  await one.close();
  const two = threadRunner(2);
  const embedded2 = await timed(two);
  await two.close();
  const redis2 = await redisRun(timed);
  const loadAverageAfter = loadavg().map((v) => Number(v.toFixed(2)));
  await local.dispose();
  rmSync(dir, { recursive: true, force: true });
  const workerScaling = Number((embedded2.imagesPerSecond / embedded1.imagesPerSecond).toFixed(3));
  const redisOverheadRatio = redis2 ? Number((redis2.seconds / embedded2.seconds).toFixed(3)) : null;
  return {
    images,
    queriesPerImage: queries,
    cores: availableParallelism(),
    loadAverageBefore,
    loadAverageAfter,
    embedded1,
    embedded2,
    redis2,
    workerScaling,
    redisOverheadRatio,
    goals: { workerScalingAtLeast: 1.7, redisOverheadAtMost: 1.1, met: { workerScaling: workerScaling >= 1.7, redisOverhead: redisOverheadRatio === null ? null : redisOverheadRatio <= 1.1 } },
  };
}

/** The same batch through a throwaway redis-server and 2 `lrsal worker` processes. */
async function redisRun(timed: (runner: TaskRunner, sendImages?: boolean) => Promise<{ seconds: number; imagesPerSecond: number; coresBusy: number }>) {
  if (spawnSync('redis-server', ['--version']).status !== 0) return null;
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
  const workers: ChildProcess[] = [];
  try {
    await new Promise((r) => setTimeout(r, 300));
    for (let i = 0; i < 2; i++) workers.push(spawn(process.execPath, [cli, 'worker', '--redis', url], { stdio: 'ignore' }));
    const { redisRunner } = await import('../src/batch/redis-runner.js');
    const runner = await redisRunner(url);
    try {
      return await timed(runner, true);
    } finally {
      await runner.close();
    }
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers.map((w) => new Promise((r) => (w.exitCode !== null ? r(null) : w.once('exit', r)))));
    redis.kill('SIGTERM');
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { images: { type: 'string', default: '6' }, queries: { type: 'string', default: '400' } } });
  process.stdout.write(JSON.stringify(await scaleBench(Number(values.images), Number(values.queries)), null, 2) + '\n');
}
