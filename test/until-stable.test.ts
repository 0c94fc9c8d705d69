/**
 * untilStable (explain/until-stable.ts): stops before the ceiling on an analytic model with the map of a plain
 * run of the queries it used (byte for byte, standard error included), pays for no query twice, uses exactly
 * the budget when the threshold is out of reach, and refuses what cannot grow chunk by chunk.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { LrsalError } from '../src/core/errors.js';
import { sizeOf, type Shape } from '../src/core/tensor.js';
import { explain, type ExplainOptions } from '../src/explain/index.js';
import { visionApiModel } from '../src/models/remote/vision-api.js';
import { decodeNpy } from '../src/render/npy.js';
import { linear, quadratic, randomVector, type Analytic } from './helpers/analytic.js';
import { kitten, repoRoot, tempDir } from './helpers/files.js';
import { fastOptions, sharedClassifier, withServer } from './remote-fixtures.js';

const shape: Shape = { channels: 3, height: 8, width: 8 };
const d = sizeOf(shape);
const bytes = (v: ArrayBufferView) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

/** A user function counting the queries it answers. */
function counted(model: Analytic) {
  const calls = { queries: 0 };
  const f = async (inputs: Float32Array, count: number) => {
    calls.queries += count;
    return Float32Array.from(await model.f.evaluate(inputs, count));
  };
  return { f, calls };
}

const cases: Array<[string, ExplainOptions]> = [
  ['vanilla × lr', { method: 'vanilla', gradient: 'lr' }],
  ['IG (3 steps) × blockwise', { method: 'ig', gradient: 'blockwise', steps: 3, block: 0.5 }],
  ['SmoothGrad × lr, antithetic pairs', { method: 'smoothgrad', gradient: 'lr', samples: 2, antithetic: true }],
  ['SmoothGrad over IG × blockwise', { method: 'ig', tunnel: 'smoothgrad', gradient: 'blockwise', samples: 2, steps: 2, block: 0.5 }],
];

for (const [name, options] of cases) {
  test(`${name}: stops before the ceiling with the bytes of a plain run of the queries it used`, async () => {
    const model = quadratic(shape);
    const x = randomVector(d, 5);
    const budget = 40_000;
    const base = { ...options, inputShape: shape, sigma: 0.01, seed: 3, batchSize: 7 } as ExplainOptions;
    const early = counted(model);
    const stable = await explain(early.f, x, { ...base, queries: budget, untilStable: 0.8 });
    assert.ok(stable.stability?.stable, `stable: ${JSON.stringify(stable.stability)}`);
    assert.ok(stable.queries < budget, `${stable.queries} queries`);
    assert.ok(stable.stability.correlation! >= 0.8);
    assert.equal(early.calls.queries, stable.queries, 'no query paid twice: the queries reported are the queries sent');
    const plainCalls = counted(model);
    const plain = await explain(plainCalls.f, x, { ...base, queries: stable.queries });
    assert.equal(plainCalls.calls.queries, stable.queries);
    assert.deepEqual(bytes(stable.attribution), bytes(plain.attribution));
    assert.deepEqual(bytes(stable.map), bytes(plain.map));
    assert.deepEqual(bytes(stable.uncertainty!.mapStandardError), bytes(plain.uncertainty!.mapStandardError));
  });
}

test('an out-of-reach threshold uses exactly the budget and gives the plain run of the whole budget', async () => {
  const model = linear(shape);
  const x = randomVector(d, 6);
  const base: ExplainOptions = { inputShape: shape, method: 'ig', gradient: 'lr', steps: 2, sigma: 0.01, seed: 4, queries: 1500 };
  const early = counted(model);
  const r = await explain(early.f, x, { ...base, untilStable: 1 });
  assert.equal(r.queries, 1500);
  assert.equal(early.calls.queries, 1500, 'the budget is a hard ceiling and is used exactly');
  assert.equal(r.stability!.stable, false);
  // Checkpoints at 1, 2, 4, 8 chunks per step: 2·(1 + 64c) + 1 queries; from 2 chunks on, a correlation each.
  assert.deepEqual(r.stability!.checkpoints.map((c) => c.queries), [259, 515, 1027]);
  const plain = await explain(counted(model).f, x, base);
  assert.deepEqual(bytes(r.map), bytes(plain.map));
});

test('untilStable refuses, before any query, what cannot grow chunk by chunk, and bad thresholds', async () => {
  const model = linear(shape);
  const x = randomVector(d, 6);
  const base: ExplainOptions = { inputShape: shape, queries: 500, untilStable: true };
  for (const [options, message] of [
    [{ gradient: 'focused' }, /lr or blockwise/],
    [{ method: 'rise' }, /not RISE/],
    [{ method: 'ig', gradient: 'lr', igPath: 'sampled' }, /path "steps"/],
    [{ gradient: 'lr', untilStable: 1.5 }, /\(0, 1\]/],
    [{ gradient: 'lr', untilStable: 0 }, /\(0, 1\]/],
  ] as Array<[ExplainOptions, RegExp]>) {
    const calls = counted(model);
    await assert.rejects(explain(calls.f, x, { ...base, ...options }), (e: unknown) => e instanceof LrsalError && message.test(e.message), JSON.stringify(options));
    assert.equal(calls.calls.queries, 0, 'refused before the first query');
  }
});

test('lrsal explain --until-stable: the stability and the standard error map in the JSON; bad uses exit 2 before any query', () => {
  const lrsal = (args: string[]) => spawnSync(process.execPath, [join(repoRoot, 'dist', 'src', 'cli', 'main.js'), ...args], { encoding: 'utf8', env: { ...process.env, LRSAL_DEBUG: '' } });
  const out = join(tempDir(), 'k.png');
  const r = lrsal(['explain', kitten, '--method', 'vanilla', '--gradient', 'blockwise', '--queries', '300', '--until-stable', '1', '--threads', '1', '--out', out, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  assert.equal(summary.queries, 300, 'an out-of-reach threshold spends the whole budget');
  assert.deepEqual(summary.stability.checkpoints.map((c: { queries: number }) => c.queries), [129, 257]);
  assert.equal(summary.stability.stable, false);
  assert.ok(summary.uncertainty.signalToNoise.aboveTwoSe >= 0 && summary.uncertainty.signalToNoise.aboveTwoSe <= 1);
  const se = decodeNpy(readFileSync(summary.uncertainty.outputs.map));
  assert.deepEqual(se.shape, [224, 224]);
  assert.ok(se.data.every((v) => Number.isFinite(v) && v >= 0) && se.data.some((v) => v > 0));
  for (const args of [['--until-stable', '2'], ['--gradient', 'focused', '--until-stable']]) {
    const bad = lrsal(['explain', kitten, '--queries', '300', '--out', join(tempDir(), 'b.png'), ...args]);
    assert.equal(bad.status, 2, bad.stderr);
    assert.match(bad.stderr, /until-stable/);
    assert.equal(bad.stderr.trim().split('\n').length, 1, 'one line');
  }
});

test('a remote label API grows the same way: the stopped map is the plain run of its queries, each image sent once', async () => {
  try {
    await withServer('vision', {}, async (server) => {
      const options: ExplainOptions = { target: 'tabby cat', method: 'vanilla', gradient: 'blockwise', queries: 600, seed: 2, untilStable: 0.05 };
      const stable = await explain(visionApiModel({ ...fastOptions(false), endpoint: server.url, maxResults: 1 }), kitten, options);
      assert.ok(stable.stability!.stable && stable.queries < 600, JSON.stringify(stable.stability));
      assert.equal(server.images, stable.queries, 'no image bought twice');
      const plain = await explain(visionApiModel({ ...fastOptions(false), endpoint: server.url, maxResults: 1 }), kitten, { ...options, untilStable: undefined, queries: stable.queries });
      assert.deepEqual(bytes(stable.map), bytes(plain.map));
    });
  } finally {
    await (await sharedClassifier()).dispose();
  }
});
