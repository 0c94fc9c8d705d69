/**
 * Distributed batches: tasks go through a BullMQ queue on Redis, `lrsal worker --redis URL` processes run
 * them anywhere. Faults:
 *   - a worker killed mid-task stops renewing its lock; BullMQ's stalled-job check puts the task back and
 *     another worker runs it (results are deterministic and stored by shard id: counted once);
 *   - a task that throws is retried up to ATTEMPTS times, then fails its image (poisoned shard);
 *   - Redis going away: connections retry forever; the coordinator polls its jobs and re-adds any that the
 *     restarted Redis lost (job ids are content hashes, so re-adding a live job is a no-op);
 *   - a restarted coordinator re-adds its jobs under the same ids and picks up finished ones.
 * Job data and results are JSON: binary parts (image bytes, partial sums, maps) travel as base64.
 */
import { createHash } from 'node:crypto';
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { LrsalError, invalidArgument } from '../core/errors.js';
import { shardId } from '../gradients/shard-ledger.js';
import type { PreparedImage, WholeResult } from './image-runs.js';
import { classifierCache } from './models.js';
import type { TaskRunner } from './runners.js';
import { decodeSums, encodeSums } from './store.js';
import { runTask, type BatchTask, type ShardResult, type TaskResult } from './tasks.js';

export const QUEUE = 'lrsal-batch';
/** Tries per task (first run included) before its image fails. */
export const ATTEMPTS = 3;
/** Times a task may lose its worker (killed, or starved past its lock) before it fails: results are idempotent. */
export const MAX_STALLS = 10;
const POLL_MS = 100;

/** A client for `url` that waits out outages (BullMQ needs maxRetriesPerRequest: null). */
export function redisConnection(url: string): Redis {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw invalidArgument(`--redis ${url} is not a URL (redis://host:port)`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw invalidArgument(`--redis ${url}: expected redis://host:port`);
  return new Redis({
    host: u.hostname || '127.0.0.1',
    port: Number(u.port || 6379),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.pathname.length > 1 ? { db: Number(u.pathname.slice(1)) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    // Workers block on Redis; wait for it through outages instead of failing commands.
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(1000, 50 * times),
    lazyConnect: false,
  }).on('error', () => undefined); // reconnects by itself; callers see stalled commands, not crashes
}

type WireTask = Omit<BatchTask, 'imageBytes'> & { imageBase64?: string };
type WireResult = { kind: 'plan'; prepared: PreparedImage } | { kind: 'shard'; sums: string; queries: number } | { kind: 'whole'; result: Omit<WholeResult, 'map'>; map: string };

const b64 = (v: ArrayBufferView) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');

function toWire(task: BatchTask): WireTask {
  const { imageBytes, ...rest } = task;
  return { ...rest, ...(imageBytes ? { imageBase64: b64(imageBytes) } : {}) };
}

function fromWire(task: WireTask): BatchTask {
  const { imageBase64, ...rest } = task;
  return { ...rest, ...(imageBase64 ? { imageBytes: new Uint8Array(Buffer.from(imageBase64, 'base64')) } : {}) } as BatchTask;
}

function encodeResult(kind: BatchTask['kind'], r: TaskResult): WireResult {
  if (kind === 'plan') return { kind, prepared: r as PreparedImage };
  if (kind === 'shard') return { kind, sums: Buffer.from(encodeSums((r as ShardResult).sums)).toString('base64'), queries: (r as ShardResult).queries };
  const { map, ...result } = r as WholeResult;
  return { kind: 'whole', result, map: b64(map) };
}

function decodeResult(w: WireResult): TaskResult {
  if (w.kind === 'plan') return w.prepared;
  if (w.kind === 'shard') return { sums: decodeSums(Buffer.from(w.sums, 'base64')), queries: w.queries };
  const bytes = Buffer.from(w.map, 'base64');
  return { ...w.result, map: new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) };
}

/** Same task → same id: re-adding after a crash or a Redis restart never duplicates work. */
function jobId(task: BatchTask): string {
  const what = { kind: task.kind, image: task.image, model: task.model, options: task.options, range: task.kind === 'shard' ? shardId(task.range) : undefined };
  const imageHash = task.imageBytes ? createHash('sha256').update(task.imageBytes).digest('hex') : '';
  return `${task.kind}-${createHash('sha256').update(JSON.stringify(what)).update(imageHash).digest('hex').slice(0, 32)}`;
}

export interface RedisRunnerOptions {
  /** Tasks kept in the queue at once (default 64): enough to keep many workers busy. */
  concurrency?: number;
}

export async function redisRunner(url: string, options: RedisRunnerOptions = {}): Promise<TaskRunner> {
  const connection = redisConnection(url);
  const queue = new Queue(QUEUE, { connection });
  queue.on('error', () => undefined); // connection errors: ioredis reconnects; polling carries on
  const waiting = new Map<string, { task: BatchTask; resolve: (r: TaskResult) => void; reject: (e: Error) => void; busy: boolean }>();
  const add = (id: string, task: BatchTask) => queue.add(task.kind, toWire(task), { jobId: id, attempts: ATTEMPTS, backoff: { type: 'fixed', delay: 200 }, removeOnComplete: false, removeOnFail: false });

  let closed = false;
  const poll = async () => {
    while (!closed) {
      await Promise.all(
        [...waiting].map(async ([id, w]) => {
          if (w.busy) return;
          w.busy = true;
          try {
            const job: Job | undefined = await queue.getJob(id);
            if (!job) await add(id, w.task); // lost (Redis restarted empty): queue it again
            else if (job.finishedOn && job.returnvalue) {
              waiting.delete(id);
              w.resolve(decodeResult(job.returnvalue as WireResult));
              await job.remove().catch(() => undefined);
            } else if (job.finishedOn && job.failedReason) {
              waiting.delete(id);
              w.reject(new LrsalError('MODEL_OUTPUT', `failed after ${job.attemptsMade} tries: ${job.failedReason}`));
              await job.remove().catch(() => undefined);
            }
          } catch {
            // Redis unreachable: try again at the next poll.
          } finally {
            w.busy = false;
          }
        }),
      );
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  };
  const polling = poll();

  return {
    concurrency: options.concurrency ?? 64,
    handlesRetries: true,
    run(task) {
      const id = jobId(task);
      return new Promise<TaskResult>((resolve, reject) => {
        waiting.set(id, { task, resolve, reject, busy: true });
        add(id, task)
          .catch(() => undefined) // unreachable now: the poll re-adds it
          .finally(() => {
            const w = waiting.get(id);
            if (w) w.busy = false;
          });
      });
    },
    async close() {
      closed = true;
      await polling;
      for (const [, w] of waiting) w.reject(new LrsalError('ABORTED', 'batch closed'));
      await queue.close();
      connection.disconnect();
    },
  };
}

export interface WorkerOptions {
  /** Folders searched for a model whose path differs here (matched by sha256). */
  models?: string[];
  /** Tasks run at once by this process (default 1: one core, single-threaded onnxruntime). */
  concurrency?: number;
  /** Lock duration in ms (default 30 s): how soon a dead worker's task is handed to another. */
  lockMs?: number;
}

/** A worker process: runs tasks from the queue until closed. */
export function startWorker(url: string, options: WorkerOptions = {}): { close(): Promise<void>; worker: Worker } {
  const cache = classifierCache(options.models ?? []);
  const lockMs = options.lockMs ?? 30_000;
  const connection = redisConnection(url);
  const worker = new Worker(
    QUEUE,
    async (job: Job) => {
      const task = fromWire(job.data as WireTask);
      return encodeResult(task.kind, await runTask(task, cache.resolve));
    },
    {
      connection,
      concurrency: options.concurrency ?? 1,
      lockDuration: lockMs,
      stalledInterval: Math.max(500, Math.round(lockMs / 2)),
      maxStalledCount: MAX_STALLS,
    },
  );
  worker.on('error', () => undefined); // connection errors: ioredis reconnects
  return {
    worker,
    async close() {
      await worker.close();
      connection.disconnect();
      await cache.dispose();
    },
  };
}
