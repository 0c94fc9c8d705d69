/** Distributed batches through BullMQ on Redis (not built yet). */
import { LrsalError } from '../core/errors.js';
import type { TaskRunner } from './runners.js';

export async function redisRunner(url: string): Promise<TaskRunner> {
  throw new LrsalError('UNSUPPORTED', `--redis ${url}: distributed batches are not implemented yet; run without --redis`);
}
