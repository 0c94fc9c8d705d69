/**
 * `lrsal batch DIR|manifest.json --out OUT [explain's options]`: every image with one configuration, on all
 * cores (worker threads) or on many machines (--redis). Rerunning the same command resumes.
 */
import { availableParallelism } from 'node:os';
import cliProgress from 'cli-progress';
import { Command } from 'commander';
import { invalidArgument } from '../core/errors.js';
import { pick } from '../core/options.js';
import { EXPLAIN_DEFAULTS } from '../explain/index.js';
import { batchImages, runBatch, type BatchProgress } from '../batch/coordinator.js';
import { listBatchImages } from '../batch/inputs.js';
import type { BatchExplainOptions } from '../batch/image-runs.js';
import { classifierCache, onnxPathOf, sha256File } from '../batch/models.js';
import { inlineRunner, threadRunner, type TaskRunner } from '../batch/runners.js';
import { BatchStore } from '../batch/store.js';
import type { ModelSpec } from '../batch/tasks.js';
import { explainCommand } from './explain-command.js';
import type { ModelFlags } from './model-options.js';
import { integer } from './parse.js';

/** explain's options that do not apply to a batch (one output per image; score models only). */
const NOT_FOR_BATCH = new Set(['--out', '--json', '--api', '--endpoint', '--question', '--price', '--max-cost', '--yes', '--no-cache', '--cache-dir', '--concurrency', '--rps', '--timeout', '--max-labels', '--embeddings', '--embeddings-model', '--http-body', '--http-labels', '--threads', '--no-progress', '--until-stable']);

const EXPLAIN_KEYS = ['method', 'gradient', 'queries', 'seed', 'objective', 'target', 'sigma', 'block', 'noise', 'tile', 'grid', 'survey', 'antithetic', 'baseline', 'batchSize', 'steps', 'samples', 'noiseLevel', 'igBaseline', 'cells', 'keep', 'reduction'] as const;

interface BatchFlags extends ModelFlags {
  out: string;
  workers?: number;
  chunksPerShard?: number;
  redis?: string;
  progress?: boolean;
  [key: string]: unknown;
}

export function batchCommand(): Command {
  const cmd = new Command('batch')
    .description('explain every image of a folder or manifest with one configuration; resumable, on all cores or many machines')
    .argument('<input>', 'folder of JPEG/PNG/WebP images, or a manifest.json listing them')
    .requiredOption('--out <dir>', 'result folder: <image>.png + .npy, summaries.jsonl; also the resume state')
    .option('--workers <n>', 'worker threads (default: one per core; 0 = this thread)', integer('--workers', 0))
    .option('--chunks-per-shard <n>', 'chunks of 64 directions per shard', integer('--chunks-per-shard', 1), 2)
    .option('--redis <url>', 'distribute shards through BullMQ on this Redis (or LRSAL_REDIS_URL); run `lrsal worker --redis URL` anywhere')
    .option('--no-progress', 'no progress bar');
  for (const option of explainCommand().options) if (!NOT_FOR_BATCH.has(option.long ?? '')) cmd.addOption(option);
  return cmd.action(async (input: string, flags: BatchFlags) => {
    if (flags.objective && !['logit', 'probability', 'logProbability'].includes(flags.objective as string)) throw invalidArgument(`--objective ${String(flags.objective)}: batch explains score models (logit, probability, logProbability)`);
    const redis = flags.redis ?? process.env.LRSAL_REDIS_URL;
    const images = batchImages(await listBatchImages(input));
    const options = { ...EXPLAIN_DEFAULTS, ...(pick(flags as Record<string, unknown>, [...EXPLAIN_KEYS]) as BatchExplainOptions) } as BatchExplainOptions & { queries: number };
    const model = await modelSpec(flags);
    const store = new BatchStore(flags.out);
    await store.open({ options, model: { ...model, model: undefined }, chunksPerShard: flags.chunksPerShard });
    let runner: TaskRunner;
    if (redis) {
      const { redisRunner } = await import('../batch/redis-runner.js');
      runner = await redisRunner(redis);
    } else {
      const workers = flags.workers ?? availableParallelism();
      runner = workers === 0 ? inlineRunner() : threadRunner(workers);
    }
    const local = classifierCache();
    const bar = batchBar(flags.progress !== false && Boolean(process.stderr.isTTY));
    const stop = () => {
      process.stderr.write('\nlrsal: interrupted; finished shards are kept in --out, rerun the same command to resume\n');
      process.exit(130);
    };
    process.on('SIGINT', stop).on('SIGTERM', stop);
    try {
      const outcome = await runBatch({
        images,
        options,
        model,
        store,
        runner,
        classifier: () => local.resolve(model),
        chunksPerShard: flags.chunksPerShard ?? 2,
        sendImages: Boolean(redis),
        onProgress: (p) => bar.update(p),
      });
      bar.stop();
      process.stdout.write(
        `explained ${outcome.done} images (${outcome.skipped} already done, ${outcome.failed.length} failed), ${outcome.queries} queries in ${outcome.seconds.toFixed(1)} s; results in ${flags.out}\n`,
      );
      for (const f of outcome.failed) process.stderr.write(`lrsal: ${f.name}: ${f.error}\n`);
      if (outcome.failed.length) process.exitCode = 1;
    } finally {
      bar.stop();
      process.off('SIGINT', stop).off('SIGTERM', stop);
      await runner.close();
      await local.dispose();
    }
  });
}

async function modelSpec(flags: BatchFlags): Promise<ModelSpec> {
  const path = await onnxPathOf(flags.model);
  return {
    ...(flags.model ? { model: flags.model } : {}),
    sha256: await sha256File(path),
    ...pick(flags, ['labels', 'preprocess', 'mean', 'std', 'scale', 'channelOrder', 'resize', 'output', 'scoreKind']),
  } as ModelSpec;
}

function batchBar(enabled: boolean): { update(p: BatchProgress): void; stop(): void } {
  if (!enabled) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: 'batch [{bar}] {images} images | {value}/{total} queries | ETA {eta_formatted}', hideCursor: true, clearOnComplete: true, etaBuffer: 200 },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(p) {
      const images = `${p.imagesDone}/${p.images}${p.imagesFailed ? ` (${p.imagesFailed} failed)` : ''}`;
      if (!started) {
        bar.start(p.queries, p.queriesDone, { images });
        started = true;
      } else bar.update(p.queriesDone, { images });
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}
