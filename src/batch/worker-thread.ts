/** A tinypool worker thread: runs batch tasks with its own single-threaded copy of each model. */
import { classifierCache } from './models.js';
import { runTask, type BatchTask, type TaskResult } from './tasks.js';

const cache = classifierCache();

export default function run(task: BatchTask): Promise<TaskResult> {
  return runTask(task, cache.resolve);
}
