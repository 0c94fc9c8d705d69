/** Every class from the same queries: a top-k run costs one budget and each map equals its single-class run. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { LrsalError } from '../src/core/errors.js';
import { explain } from '../src/explain/index.js';
import { loadClassifier, type Classifier } from '../src/models/classifier.js';
import { countingClassifier } from './helpers/counting-classifier.js';
import { kitten, repoRoot, tempDir } from './helpers/files.js';

let squeezenet: Classifier;
before(async () => {
  squeezenet = await loadClassifier();
});
after(async () => {
  await squeezenet.dispose();
});

for (const [method, gradient] of [['ig', 'blockwise'], ['smoothgrad', 'lr'], ['rise', 'lr']] as const) {
  test(`top-3 ${method}/${gradient}: one budget, and each class's map is byte-identical to its own run`, async () => {
    const options = { method, gradient, queries: 61, steps: 3, samples: 2, seed: 3, batchSize: 7 } as const;
    const { classifier, asked } = countingClassifier(squeezenet);
    const all = await explain(classifier, kitten, { ...options, topK: 3 });
    assert.equal(asked(), 61, 'the model answered one budget of queries for three maps');
    assert.equal(all.queries, 61);
    assert.equal(all.classes?.length, 3);
    assert.deepEqual(all.classes!.map((c) => c.target.index), all.predictions.slice(0, 3).map((p) => p.index));
    for (const one of all.classes!) {
      const single = await explain(squeezenet, kitten, { ...options, target: one.target.index! });
      assert.deepEqual(Buffer.from(one.map.buffer), Buffer.from(single.map.buffer), `class ${one.target.index}`);
      assert.equal(one.valueAtX, single.valueAtX);
    }
    assert.notDeepEqual(all.classes![0]!.map, all.classes![1]!.map, 'different classes, different maps');
  });
}

test('targets by name share the queries too; bad requests are refused (focused top-k: top-k-focused.test.ts)', async () => {
  const both = await explain(squeezenet, kitten, { method: 'vanilla', gradient: 'lr', queries: 21, targets: ['tabby', 'tiger cat'] });
  assert.deepEqual(both.classes!.map((c) => c.target.label), ['tabby', 'tiger cat']);
  const adaptive = { name: 'adaptive', minQueries: 2, estimate: async () => ({ gradient: new Float32Array(3 * 224 * 224), queries: 0 }), estimateMean: async () => ({ gradient: new Float32Array(3 * 224 * 224), queries: 0 }) };
  await assert.rejects(explain(squeezenet, kitten, { gradient: adaptive, queries: 50, topK: 2 }), (e: unknown) => e instanceof LrsalError && /adapt/.test(e.message));
  await assert.rejects(explain(squeezenet, kitten, { queries: 50, topK: 0 }), /topK/);
  await assert.rejects(explain(squeezenet, kitten, { queries: 50, topK: 2, targets: ['tabby'] }), /not both/);
  await assert.rejects(explain(squeezenet, kitten, { queries: 50, topK: 2000 }), /exceeds/);
});

test('lrsal explain --top-k 3 writes F.<class>.png/.npy per class from one budget, each equal to its single-class run', () => {
  const cli = join(repoRoot, 'dist', 'src', 'cli', 'main.js');
  const run = (args: string[]) => spawnSync(process.execPath, [cli, 'explain', kitten, '--method', 'vanilla', '--gradient', 'lr', '--queries', '30', '--seed', '4', '--no-sheet', '--json', ...args], { encoding: 'utf8' });
  const dir = tempDir();
  const r = run(['--top-k', '3', '--out', join(dir, 'k.png')]);
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  assert.equal(summary.queries, 30, 'queries spent once for three maps');
  assert.equal(summary.classes.length, 3);
  for (const c of summary.classes) {
    const index = c.target.index as number;
    assert.equal(c.outputs.overlay, join(dir, `k.${index}.png`));
    assert.ok(existsSync(join(dir, `k.${index}.npy`)));
    const single = run(['--target', String(index), '--out', join(dir, `single-${index}.png`)]);
    assert.equal(single.status, 0, single.stderr);
    assert.deepEqual(readFileSync(join(dir, `k.${index}.model.npy`)), readFileSync(join(dir, `single-${index}.model.npy`)), `class ${index}`);
  }
});
