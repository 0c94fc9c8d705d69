/**
 * Runs a batch: every image with one configuration, cut into tasks (plan → shards → merge, or one whole
 * task for sequential configurations) that a TaskRunner executes anywhere. Finished shards are stored at
 * once (store.ts), so a rerun skips finished images and continues half-done ones from their stored sums.
 * A task that keeps failing (a poisoned shard: the model errs on it) fails its image after `attempts`
 * tries, with the error in errors.jsonl; the other images go on.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { describeError } from '../core/errors.js';
import { encodeNpy } from '../render/npy.js';
import { renderOverlay } from '../render/overlay.js';
import { shardId, splitPlan, type ChunkSum } from '../gradients/shard-ledger.js';
import type { Classifier } from '../models/classifier.js';
import { mergeImage, shardable, type BatchExplainOptions, type PreparedImage, type WholeResult } from './image-runs.js';
import type { TaskRunner } from './runners.js';
import { BatchStore, type ImageSummary } from './store.js';
import type { BatchTask, ModelSpec, ShardResult } from './tasks.js';

export interface BatchImage {
  path: string;
  /** File name stem of its outputs, unique in the batch. */
  name: string;
}

export interface BatchProgress {
  imagesDone: number;
  imagesFailed: number;
  images: number;
  queriesDone: number;
  queries: number;
}

export interface BatchSettings {
  images: BatchImage[];
  options: BatchExplainOptions & { queries: number };
  model: ModelSpec;
  store: BatchStore;
  runner: TaskRunner;
  /** The coordinator's own copy of the model, for merges (which query nothing). */
  classifier: () => Promise<Classifier>;
  /** Chunks per shard (default 2: 128 directions). */
  chunksPerShard?: number;
  /** Tries per task before its image fails (default 3). */
  attempts?: number;
  /** Send image bytes with each task (workers on other machines). */
  sendImages?: boolean;
  onProgress?: (p: BatchProgress) => void;
}

export interface BatchOutcome {
  done: number;
  skipped: number;
  failed: Array<{ name: string; error: string }>;
  queries: number;
  seconds: number;
}

export async function runBatch(s: BatchSettings): Promise<BatchOutcome> {
  const started = performance.now();
  const chunksPerShard = s.chunksPerShard ?? 2;
  const attempts = s.runner.handlesRetries ? 1 : s.attempts ?? 3;
  const finished = await s.store.finished();
  const todo = s.images.filter((i) => !finished.has(i.name));
  const progress: BatchProgress = { imagesDone: s.images.length - todo.length, imagesFailed: 0, images: s.images.length, queriesDone: (s.images.length - todo.length) * s.options.queries, queries: s.images.length * s.options.queries };
  const report = () => s.onProgress?.({ ...progress });
  report();
  const failed: BatchOutcome['failed'] = [];
  let spentHere = 0;
  const count = (queries: number) => {
    progress.queriesDone += queries;
    report();
  };

  const withRetries = async <T>(task: BatchTask): Promise<T> => {
    let last: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        return (await s.runner.run(task)) as T;
      } catch (error) {
        last = error;
      }
    }
    throw last;
  };

  async function explainOne(image: BatchImage): Promise<void> {
    const base = { image: image.path, model: s.model, options: s.options, ...(s.sendImages ? { imageBytes: new Uint8Array(await readFile(image.path)) } : {}) };
    const t0 = performance.now();
    let summary: Omit<ImageSummary, 'image' | 'name'>;
    let map: Float32Array;
    let rgb;
    if (!shardable(s.options)) {
      const whole = await withRetries<WholeResult>({ ...base, kind: 'whole' });
      spentHere += whole.queries;
      count(whole.queries);
      map = whole.map;
      rgb = (await (await s.classifier()).prepare(image.path)).image;
      summary = { target: whole.target, predictions: whole.predictions, queries: whole.queries, shards: 1 };
    } else {
      let prepared = await s.store.readPlan(image.name);
      if (!prepared) {
        prepared = await withRetries<PreparedImage>({ ...base, kind: 'plan' });
        spentHere += prepared.queries;
        await s.store.writePlan(image.name, prepared);
      }
      count(prepared.queries);
      const ranges = splitPlan(prepared.plan, chunksPerShard);
      const stored = await s.store.storedShards(image.name);
      const results = await Promise.all(
        ranges.map(async (range): Promise<ChunkSum[]> => {
          const id = shardId(range);
          if (stored.has(id)) {
            try {
              const sums = await s.store.readShard(image.name, id);
              count(sums.reduce((n, c) => n + c.queries, 0));
              return sums;
            } catch {
              // Corrupt: compute it again.
            }
          }
          const result = await withRetries<ShardResult>({ ...base, kind: 'shard', prepared: prepared!, range });
          await s.store.writeShard(image.name, id, result.sums);
          spentHere += result.queries;
          count(result.queries);
          return result.sums;
        }),
      );
      const merged = await mergeImage(await s.classifier(), image.path, s.options, prepared, results.flat());
      map = merged.map;
      rgb = merged.image;
      const queries = prepared.queries + results.flat().reduce((n, c) => n + c.queries, 0);
      summary = { target: prepared.target, predictions: prepared.predictions, queries, shards: ranges.length };
    }
    const full: ImageSummary = {
      image: image.path,
      name: image.name,
      ...summary,
      method: s.options.method,
      gradient: s.options.gradient,
      seed: s.options.seed,
      seconds: Number(((performance.now() - t0) / 1000).toFixed(3)),
      overlay: `${image.name}.png`,
      map: `${image.name}.npy`,
      mapShape: [rgb.height, rgb.width],
    };
    await s.store.finish(full, await renderOverlay(rgb, map), encodeNpy(map, [rgb.height, rgb.width]));
    progress.imagesDone++;
    report();
  }

  // Enough images in flight to keep every worker busy, few enough to bound the partial sums held in memory.
  const inFlight = Math.max(2, s.runner.concurrency + 1);
  let next = 0;
  async function lane(): Promise<void> {
    while (next < todo.length) {
      const image = todo[next++]!;
      try {
        await explainOne(image);
      } catch (error) {
        const message = describeError(error);
        failed.push({ name: image.name, error: message });
        progress.imagesFailed++;
        await s.store.fail(image.name, image.path, message);
        report();
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(inFlight, todo.length) }, lane));
  return { done: todo.length - failed.length, skipped: s.images.length - todo.length, failed, queries: spentHere, seconds: (performance.now() - started) / 1000 };
}

/** Output names from file names: the stem, made unique with a counter. */
export function batchImages(paths: string[]): BatchImage[] {
  const seen = new Map<string, number>();
  return paths.map((path) => {
    const stem = basename(path).replace(/\.[^.]+$/, '').replace(/[^\w.-]+/g, '_') || 'image';
    const n = seen.get(stem) ?? 0;
    seen.set(stem, n + 1);
    return { path, name: n === 0 ? stem : `${stem}-${n}` };
  });
}
