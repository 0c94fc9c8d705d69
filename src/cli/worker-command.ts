/** `lrsal worker --redis URL`: runs batch shards from a Redis queue, on any machine, until stopped. */
import { Command } from 'commander';
import { invalidArgument } from '../core/errors.js';
import { startWorker } from '../batch/redis-runner.js';
import { integer } from './parse.js';

interface WorkerFlags {
  redis?: string;
  models: string[];
  concurrency: number;
  lockMs: number;
}

export function workerCommand(): Command {
  return new Command('worker')
    .description('run `lrsal batch --redis` shards from a Redis queue (models found by content hash)')
    .option('--redis <url>', 'Redis URL (or LRSAL_REDIS_URL)')
    .option('--models <dir>', 'folder with ONNX files, for models whose path differs here (repeatable)', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--concurrency <n>', 'tasks at once (each: one core)', integer('--concurrency', 1), 1)
    .option('--lock-ms <ms>', 'task lock: a dead worker’s task moves on after about this long', integer('--lock-ms', 500), 30_000)
    .action(async (flags: WorkerFlags) => {
      const url = flags.redis ?? process.env.LRSAL_REDIS_URL;
      if (!url) throw invalidArgument('lrsal worker needs --redis URL (or LRSAL_REDIS_URL)');
      const { close } = startWorker(url, { models: flags.models, concurrency: flags.concurrency, lockMs: flags.lockMs });
      process.stderr.write(`lrsal worker: waiting for shards on ${url.replace(/\/\/[^@]*@/, '//***@')}\n`);
      await new Promise<void>((resolve) => {
        let stopping = false;
        const stop = () => {
          // Second signal, or Redis unreachable for the goodbye: leave at once (the task goes back to the queue).
          if (stopping) process.exit(130);
          stopping = true;
          process.stderr.write('lrsal worker: finishing the task in hand, then stopping\n');
          setTimeout(() => process.exit(0), 10_000).unref();
          void close().then(resolve);
        };
        process.on('SIGINT', stop).on('SIGTERM', stop);
      });
    });
}
