/** Issue 17's sweep options: IG baselines (blur:σ, mean, expected over blurs), the positive reduction, eval flags. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { LrsalError } from '../src/core/errors.js';
import { Rng } from '../src/core/rng.js';
import { sizeOf, type Shape } from '../src/core/tensor.js';
import { explain } from '../src/explain/index.js';
import { validateExplainOptions } from '../src/explain/validate-options.js';
import { blockwise } from '../src/gradients/blockwise.js';
import { reduceChannels } from '../src/methods/channel-reduction.js';
import { expectedOverBaselines } from '../src/methods/expected-baselines.js';
import { parseIgBaseline } from '../src/methods/ig-baseline-spec.js';
import { integratedGradients } from '../src/methods/integrated-gradients.js';
import { exactSource, linear, quadratic, randomVector } from './helpers/analytic.js';
import { kitten, repoRoot } from './helpers/files.js';

const shape: Shape = { channels: 3, height: 16, width: 16 };
const d = sizeOf(shape);
const total = (v: ArrayLike<number>) => Array.from(v).reduce((s, x) => s + x, 0);
const fn = (model: ReturnType<typeof linear>) => async (inputs: Float32Array, count: number) => Float32Array.from(await model.f.evaluate(inputs, count));

test('parseIgBaseline reads every form and refuses bad ones in one line', () => {
  assert.deepEqual(parseIgBaseline('black'), { kind: 'black' });
  assert.deepEqual(parseIgBaseline('blur'), { kind: 'blur' });
  assert.deepEqual(parseIgBaseline('blur:8'), { kind: 'blur', sigma: 8 });
  assert.deepEqual(parseIgBaseline('mean'), { kind: 'mean' });
  assert.deepEqual(parseIgBaseline('photo.png'), { kind: 'image', path: 'photo.png' });
  assert.deepEqual(parseIgBaseline('expected:blur:1,2.5,16').kind === 'expected' && parseIgBaseline('expected:blur:1,2.5,16'), { kind: 'expected', baselines: [1, 2.5, 16].map((sigma) => ({ kind: 'blur', sigma })) });
  for (const bad of ['', 'blur:', 'blur:0', 'blur:-2', 'blur:abc', 'blur:2000', 'expected:black', 'expected:blur:', 'expected:blur:1,,2', `expected:blur:${Array(40).fill(1).join(',')}`]) {
    assert.throws(() => parseIgBaseline(bad), (e: unknown) => e instanceof LrsalError && e.code === 'INVALID_ARGUMENT' && !e.message.includes('\n'), bad);
  }
});

test('the mean baseline is the photo\'s mean colour: IG of a linear model gives (x − b) ⊙ w', async () => {
  const model = linear(shape);
  const w = model.gradient(new Float32Array(d));
  const r = await explain(fn(model), kitten, { inputShape: shape, method: 'ig', gradient: exactSource(model), igBaseline: 'mean', queries: 2 });
  const image = r.image!;
  const plane = shape.height * shape.width;
  const means = [0, 1, 2].map((c) => total(Array.from({ length: plane }, (_, p) => image.data[p * 3 + c]! / 255)) / plane);
  assert.ok(Math.max(...means) - Math.min(...means) > 0.01, 'the photo is not grey: a per-channel mistake would show');
  let checked = 0;
  for (let j = 0; j < d; j++) {
    if (Math.abs(w[j]!) < 0.1) continue;
    const x = image.data[(j % plane) * 3 + Math.floor(j / plane)]! / 255;
    const b = x - r.attribution[j]! / w[j]!;
    assert.ok(Math.abs(b - means[Math.floor(j / plane)]!) < 1e-4, `value ${j}: baseline ${b} vs mean ${means[Math.floor(j / plane)]}`);
    checked++;
  }
  assert.ok(checked > d / 2);
});

test('expected:blur is the mean of the per-baseline IG maps (through explain), and blur:σ is a real blur', async () => {
  const model = quadratic(shape);
  const run = (igBaseline: string) => explain(fn(model as never), kitten, { inputShape: shape, method: 'ig', gradient: exactSource(model), igBaseline, queries: 2 });
  const [one, four, both, black] = await Promise.all(['blur:1', 'blur:4', 'expected:blur:1,4', 'black'].map(run));
  for (let j = 0; j < d; j++) assert.ok(Math.abs(both!.attribution[j]! - (one!.attribution[j]! + four!.attribution[j]!) / 2) < 1e-6);
  const gap = (a: Float32Array, b: Float32Array) => Math.max(...Array.from(a, (v, j) => Math.abs(v - b[j]!)));
  assert.ok(gap(one!.attribution, four!.attribution) > 1e-3, 'σ 1 and σ 4 give different baselines');
  assert.ok(gap(one!.attribution, black!.attribution) > 1e-3);
});

test('over several baselines, IG stays complete per baseline and spends exactly its budget, split evenly', async () => {
  const model = quadratic(shape);
  const x = randomVector(d, 5);
  const baselines = [randomVector(d, 6, 0.3), randomVector(d, 7, 0.3), new Float32Array(d)];
  const expected = expectedOverBaselines(baselines.map((baseline) => integratedGradients(exactSource(model), { baseline, steps: 10 })));
  const { values } = await expected.attribute({ f: model.f, x, queries: 0, rng: new Rng(1) });
  // The midpoint rule is exact for a quadratic: Σ = f(x) − mean_b f(b).
  const want = model.value(x) - total(baselines.map((b) => model.value(b))) / baselines.length;
  assert.ok(Math.abs(total(values) - want) < 1e-3 * Math.max(1, Math.abs(want)), `Σ ${total(values)} vs ${want}`);

  const lin = linear(shape);
  const source = blockwise(shape, { sigma: 0.05 });
  const counted = expectedOverBaselines(baselines.map((baseline) => integratedGradients(source, { baseline, steps: 4 })));
  const before = lin.calls.queries;
  const r = await counted.attribute({ f: lin.f, x, queries: 101, rng: new Rng(2) });
  assert.equal(r.queries, 101);
  assert.equal(lin.calls.queries - before, 101);
  await assert.rejects(counted.attribute({ f: lin.f, x, queries: 3 * 4 * source.minQueries - 1, rng: new Rng(2) }), /3 baselines/);
});

test('explain refuses, before any query, a budget too small for every baseline', () => {
  const o = { method: 'ig', gradient: 'blockwise', steps: 10, igBaseline: 'expected:blur:1,2,4,8,16' };
  assert.throws(() => validateExplainOptions({ ...o, queries: 60 }), /5 baselines/);
  validateExplainOptions({ ...o, queries: 500 });
  assert.throws(() => validateExplainOptions({ ...o, igBaseline: 'blur:x', queries: 500 }), /blur σ/);
  assert.throws(() => validateExplainOptions({ reduction: 'positives' }), /reduction/);
});

test('the positive reduction keeps the channel sum\'s positive part', () => {
  const s: Shape = { channels: 3, height: 1, width: 3 };
  // pixel 0: sum +1; pixel 1: sum −2 (abs-sum would rank it first); pixel 2: sum 0.5.
  const values = Float32Array.from([2, -3, 0.5, -1, 0, 0, 0, 1, 0]);
  assert.deepEqual(Array.from(reduceChannels(values, s, 'positive')), [1, 0, 0.5]);
  assert.deepEqual(Array.from(reduceChannels(values, s, 'sum')), [1, -2, 0.5]);
});

const cli = join(repoRoot, 'dist', 'src', 'cli', 'main.js');
const lrsal = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, LRSAL_DEBUG: '' } });

test('eval: bad sweep flags exit 2 with one line naming the flag', () => {
  for (const [flag, value] of [['--ig-baseline', 'blur:0'], ['--ig-baseline', 'expected:mean'], ['--reduction', 'max'], ['--tunnel', 'smooth'], ['--block', '2'], ['--samples', '0']]) {
    const r = lrsal(['eval', '--images', join(repoRoot, 'examples'), flag!, value!]);
    assert.equal(r.status, 2, `${flag} ${value}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(flag!));
  }
});

test('eval passes the sweep settings through, records them, and --no-references drops the model-free rows', () => {
  const r = lrsal(['eval', '--images', join(repoRoot, 'examples'), '--methods', 'ig', '--gradient', 'blockwise', '--queries', '41', '--steps', '4',
    '--ig-baseline', 'expected:blur:2,8', '--reduction', 'positive', '--block', '0.5', '--tunnel', 'smoothgrad', '--samples', '2', '--no-references', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.results.map((row: { method: string }) => row.method), ['ig']);
  assert.deepEqual(out.settings, { queries: 41, seed: 0, igBaseline: 'expected:blur:2,8', reduction: 'positive', tunnel: 'smoothgrad', samples: 2, block: 0.5, steps: 4 });
});

test('score models: blockwise defaults to σ = 20 grey levels (docs/ig-sweep.md), others keep 0.05; a given σ wins', async () => {
  const { loadClassifier } = await import('../src/models/classifier.js');
  const { greyLevel } = await import('../src/explain/index.js');
  const squeezenet = await loadClassifier({ threads: 1 });
  try {
    const grey = greyLevel(squeezenet.preprocessing);
    const run = (o: object) => explain(squeezenet, kitten, { method: 'vanilla', queries: 6, ...o });
    assert.equal((await run({ gradient: 'blockwise' })).sigma, 20 * grey);
    assert.equal((await run({ gradient: 'lr' })).sigma, 0.05 * grey);
    assert.equal((await run({ gradient: 'blockwise', sigma: 0.5 })).sigma, 0.5);
  } finally {
    await squeezenet.dispose();
  }
});
