import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { explain } from '../src/explain/index.js';
import { inlineRunner, threadRunner, type TaskRunner } from '../src/batch/runners.js';
import { loadClassifier } from '../src/models/classifier.js';
import { decodeNpy } from '../src/render/npy.js';
import { batch, cli, exampleFolder, maps, summaries } from './helpers/batch.js';
import { tempDir, truncatedJpeg } from './helpers/files.js';

// 1 prediction + 256 LR directions = 4 chunks; IG: 2 steps of (1 + 96 directions) = 2 chunks each.
const vanilla = { method: 'vanilla' as const, gradient: 'lr' as const, queries: 257, batchSize: 16, seed: 4 };
const ig = { method: 'ig' as const, gradient: 'blockwise' as const, queries: 195, steps: 2, batchSize: 16, seed: 5 };

function images(dir: string): string[] {
  return readdirSync(dir).sort().map((f) => join(dir, f));
}

test('batch maps are byte-identical to explain(), for 1 or 4 shards, inline or on 1 or 2 worker threads', async () => {
  const input = images(exampleFolder());
  const classifier = await loadClassifier({ threads: 1 });
  const single = new Map<string, Buffer>();
  try {
    for (const path of input) {
      const r = await explain(classifier, path, vanilla);
      assert.equal(r.queries, vanilla.queries);
      single.set(path.replace(/^.*\//, '').replace(/\.png$/, '.npy'), Buffer.from(r.map.buffer, r.map.byteOffset, r.map.byteLength));
    }
  } finally {
    await classifier.dispose();
  }
  const runs: Array<[string, () => TaskRunner, number]> = [
    ['inline, 1 shard', inlineRunner, 4],
    ['inline, 4 shards', inlineRunner, 1],
    ['1 thread, 4 shards', () => threadRunner(1), 1],
    ['2 threads, 2 shards', () => threadRunner(2), 2],
  ];
  for (const [name, runner, chunksPerShard] of runs) {
    const out = tempDir();
    const outcome = await batch(input, out, vanilla, runner(), { chunksPerShard });
    assert.deepEqual(outcome.failed, [], name);
    assert.equal(outcome.queries, input.length * vanilla.queries, `${name}: exactly the budget, once`);
    for (const [file, npy] of maps(out)) {
      const raw = Buffer.from(decodeNpy(npy).data.buffer);
      assert.ok(raw.equals(single.get(file)!), `${name}: ${file} differs from explain()`);
    }
    const lines = summaries(out);
    assert.equal(lines.length, input.length);
    assert.ok(lines.every((l) => l.queries === vanilla.queries && l.shards === 4 / chunksPerShard));
    assert.equal(readdirSync(join(out, '.partial')).length, 0, 'partial sums are removed once merged');
  }
});

/** Runs tasks normally until `limit` shard tasks have run, then fails every shard task (as if killed). */
function failingAfter(limit: number): TaskRunner & { shards: number } {
  const inner = inlineRunner();
  const r = {
    concurrency: 1,
    shards: 0,
    async run(task: Parameters<TaskRunner['run']>[0]) {
      if (task.kind === 'shard' && ++r.shards > limit) throw new Error('worker gone');
      return inner.run(task);
    },
    close: () => inner.close(),
  };
  return r;
}

test('a rerun skips finished images, continues half-done ones from stored sums, and counts every query once', async () => {
  const input = images(exampleFolder());
  const reference = tempDir();
  await batch(input, reference, ig, inlineRunner(), { chunksPerShard: 1 });

  const out = tempDir();
  // Shards: 2 steps × 2 chunks = 4 per image. 6 succeed: the first image finishes, the second is half done.
  const first = await batch(input, out, ig, failingAfter(6), { chunksPerShard: 1 });
  assert.equal(first.done, 1);
  assert.equal(first.failed.length, 1);
  assert.match(readFileSync(join(out, 'errors.jsonl'), 'utf8'), /worker gone/);
  const second = failingAfter(Infinity);
  const outcome = await batch(input, out, ig, second, { chunksPerShard: 1 });
  assert.equal(outcome.skipped, 1);
  assert.equal(outcome.done, 1);
  assert.equal(second.shards, 2, 'only the 2 missing shards of the half-done image ran again');
  assert.deepEqual(maps(out), maps(reference));
  const lines = summaries(out);
  assert.equal(lines.length, 2, 'one summary per image');
  assert.ok(lines.every((l) => l.queries === ig.queries));
  const third = await batch(input, out, ig, failingAfter(0), { chunksPerShard: 1 });
  assert.equal(third.skipped, 2);
});

test('an image that keeps failing fails alone, after bounded retries, with a clear error', async () => {
  const dir = exampleFolder();
  writeFileSync(join(dir, 'broken.jpg'), truncatedJpeg());
  let tries = 0;
  const inner = inlineRunner();
  const counting: TaskRunner = { concurrency: 1, run: (t) => (t.image.endsWith('broken.jpg') && tries++, inner.run(t)), close: () => inner.close() };
  const out = tempDir();
  const outcome = await batch(images(dir), out, vanilla, counting);
  assert.equal(outcome.done, 2);
  assert.equal(outcome.failed.length, 1);
  assert.equal(outcome.failed[0]!.name, 'broken');
  assert.equal(tries, 3);
  assert.match(outcome.failed[0]!.error, /image|decode|read/i);
  assert.equal(summaries(out).length, 2);
});

test('lrsal batch: results folder, resume, refuses another configuration, bad input exits 2', () => {
  const input = exampleFolder();
  const out = join(tempDir(), 'out');
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, 'batch', ...args], { encoding: 'utf8', env: { ...process.env, LRSAL_DEBUG: '' } });
  const args = [input, '--out', out, '--method', 'rise', '--queries', '65', '--workers', '2', '--no-progress'];
  const r = run(...args);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /explained 2 images \(0 already done, 0 failed\)/);
  assert.ok(existsSync(join(out, 'fish.png')) && existsSync(join(out, 'kitten_224.npy')));
  assert.match(run(...args).stdout, /explained 0 images \(2 already done/);
  const other = run(input, '--out', out, '--method', 'rise', '--queries', '66', '--no-progress');
  assert.equal(other.status, 2);
  assert.match(other.stderr, /another configuration/);
  const missing = run(join(input, 'nope'), '--out', out);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /^lrsal: no such folder or manifest/);
  assert.equal(run(input).status, 2, 'no --out');
});
