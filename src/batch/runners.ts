/**
 * Where batch tasks run. Embedded (default): a pool of worker threads, one per core, each with
 * single-threaded onnxruntime. Inline: this thread (tests, --workers 0). Redis: see redis-runner.ts.
 */
import { availableParallelism } from 'node:os';
import Tinypool from 'tinypool';
import { classifierCache } from './models.js';
import { runTask, type BatchTask, type TaskResult } from './tasks.js';

export interface TaskRunner {
  /** Tasks that can usefully run at once. */
  readonly concurrency: number;
  /** The runner retries failed tasks itself (BullMQ): the coordinator then tries each task once. */
  readonly handlesRetries?: boolean;
  run(task: BatchTask): Promise<TaskResult>;
  close(): Promise<void>;
}

export function threadRunner(workers = availableParallelism()): TaskRunner {
  const pool = new Tinypool({
    filename: new URL('./worker-thread.js', import.meta.url).href,
    minThreads: workers,
    maxThreads: workers,
    // Workers keep their loaded models between tasks.
    isolateWorkers: false,
  });
  return {
    concurrency: workers,
    run: (task) => pool.run(task) as Promise<TaskResult>,
    close: () => pool.destroy(),
  };
}

export function inlineRunner(): TaskRunner {
  const cache = classifierCache();
  return {
    concurrency: 1,
    run: (task) => runTask(task, cache.resolve),
    close: () => cache.dispose(),
  };
}
