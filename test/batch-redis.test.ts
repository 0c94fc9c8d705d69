import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { Queue } from 'bullmq';
import { QUEUE, redisConnection, redisRunner } from '../src/batch/redis-runner.js';
import { inlineRunner } from '../src/batch/runners.js';
import { batch, cli, exampleFolder, hasRedis, maps, startRedis, startWorkerProcess, stopProcess, summaries, waitFor } from './helpers/batch.js';
import { tempDir } from './helpers/files.js';

const skip = !hasRedis && 'redis-server is not installed (apt-get install redis-server)';
const config = { method: 'vanilla' as const, gradient: 'lr' as const, queries: 257, batchSize: 16, seed: 11 };
const options = { chunksPerShard: 1, sendImages: true };

let input: string[] = [];
let reference = new Map<string, Buffer>();

before(async () => {
  if (skip) return;
  const dir = exampleFolder();
  input = readdirSync(dir).sort().map((f) => join(dir, f));
  const out = tempDir();
  await batch(input, out, config, inlineRunner(), options);
  reference = maps(out);
});

const storedShards = (out: string) => {
  try {
    return readdirSync(join(out, '.partial')).flatMap((d) => readdirSync(join(out, '.partial', d))).filter((f) => f.endsWith('.sums')).length;
  } catch {
    return 0;
  }
};

function assertComplete(out: string, what: string): void {
  assert.deepEqual(maps(out), reference, `${what}: maps differ from the embedded run`);
  const lines = summaries(out);
  assert.equal(lines.length, input.length, `${what}: one summary per image`);
  for (const l of lines) assert.equal(l.queries, config.queries, `${what}: every query counted once`);
}

test('Redis with 1 and with 2 worker processes gives the embedded maps, byte for byte', { skip }, async () => {
  const redis = await startRedis();
  try {
    for (const count of [1, 2]) {
      const workers = Array.from({ length: count }, () => startWorkerProcess(redis.url));
      try {
        const out = tempDir();
        const outcome = await batch(input, out, config, await redisRunner(redis.url), options);
        assert.deepEqual(outcome.failed, []);
        assert.equal(outcome.queries, input.length * config.queries);
        assertComplete(out, `${count} workers`);
      } finally {
        await Promise.all(workers.map((w) => stopProcess(w)));
      }
    }
  } finally {
    await redis.stop();
  }
});

test('a worker SIGKILLed mid-shard: the shard is retried by another worker and counted once', { skip }, async () => {
  const redis = await startRedis();
  const connection = redisConnection(redis.url);
  const queue = new Queue(QUEUE, { connection });
  const victim = startWorkerProcess(redis.url, ['--lock-ms', '3000']);
  let rescuer;
  try {
    const out = tempDir();
    const running = batch(input, out, config, await redisRunner(redis.url), options);
    // Kill the only worker while it holds a shard.
    await waitFor('a shard in progress', async () => (await queue.getJobs(['active'])).some((j) => j.name === 'shard'));
    victim.kill('SIGKILL');
    rescuer = startWorkerProcess(redis.url, ['--lock-ms', '3000']);
    const outcome = await running;
    assert.deepEqual(outcome.failed, []);
    assertComplete(out, 'after a SIGKILL');
  } finally {
    await stopProcess(victim);
    if (rescuer) await stopProcess(rescuer);
    await queue.close();
    connection.disconnect();
    await redis.stop();
  }
});

test('a coordinator killed mid-batch resumes from stored partial sums when restarted', { skip }, async () => {
  const redis = await startRedis();
  const worker = startWorkerProcess(redis.url);
  try {
    const dir = join(input[0]!, '..');
    const out = tempDir();
    const args = [cli, 'batch', dir, '--out', out, '--redis', redis.url, '--chunks-per-shard', '1', '--method', 'vanilla', '--gradient', 'lr', '--queries', '257', '--batch-size', '16', '--seed', '11', '--no-progress'];
    const first = spawn(process.execPath, args, { stdio: 'ignore' });
    await waitFor('a stored shard', () => storedShards(out) >= 2);
    await stopProcess(first, 'SIGKILL');
    const second = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    second.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    const code = await new Promise((resolve) => second.on('exit', resolve));
    assert.equal(code, 0, stdout);
    assertComplete(out, 'after a coordinator restart');
  } finally {
    await stopProcess(worker);
    await redis.stop();
  }
});

test('Redis going away and coming back (empty) mid-batch: the batch still finishes with the same maps', { skip }, async () => {
  let redis = await startRedis();
  const port = redis.port;
  const worker = startWorkerProcess(redis.url, ['--lock-ms', '3000']);
  try {
    const out = tempDir();
    const running = batch(input, out, config, await redisRunner(redis.url), options);
    await waitFor('a stored shard', () => storedShards(out) >= 1);
    await stopProcess(redis.process, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 1000));
    redis = await startRedis(port);
    const outcome = await running;
    assert.deepEqual(outcome.failed, []);
    assertComplete(out, 'after a Redis restart');
  } finally {
    await stopProcess(worker);
    await redis.stop();
  }
});

