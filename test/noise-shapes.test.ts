import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../src/core/rng.js';
import { cosine, sizeOf, type Shape } from '../src/core/tensor.js';
import type { DifferentiableModel } from '../src/models/differentiable-onnx.js';
import { blockSampler, blockwise } from '../src/gradients/blockwise.js';
import { likelihoodRatio } from '../src/gradients/likelihood-ratio.js';
import { noiseLayout, projectOntoNoise } from '../src/gradients/noise-shapes.js';
import { priorGuided } from '../src/gradients/prior-guided.js';
import { surrogatePrior } from '../src/models/surrogate-prior.js';
import type { GradientSource } from '../src/gradients/gradient-source.js';
import { PREPROCESSING_PRESETS, toModelInput, type Preprocessing } from '../src/models/preprocess.js';
import { linear, quadratic, randomVector, softmaxLinear } from './helpers/analytic.js';

const shape: Shape = { channels: 3, height: 8, width: 8 };
const d = sizeOf(shape);

/** Per-value t-test of the mean of many estimates against the expected value. */
async function assertUnbiased(source: GradientSource, f: Parameters<GradientSource['estimate']>[0]['f'], x: Float32Array, expected: ArrayLike<number>, queries: number, runs = 60) {
  const sum = new Float64Array(x.length);
  const sq = new Float64Array(x.length);
  for (let r = 0; r < runs; r++) {
    const { gradient } = await source.estimate({ f, x, queries, rng: new Rng(500 + r) });
    for (let i = 0; i < x.length; i++) {
      sum[i]! += gradient[i]!;
      sq[i]! += gradient[i]! ** 2;
    }
  }
  for (let i = 0; i < x.length; i++) {
    const mean = sum[i]! / runs;
    const sd = Math.sqrt(Math.max(sq[i]! / runs - mean * mean, 1e-12) / (runs - 1));
    const t = (mean - expected[i]!) / sd;
    assert.ok(Math.abs(t) < 4.5, `value ${i}: mean ${mean.toFixed(3)} vs expected ${expected[i]!.toFixed(3)} (t = ${t.toFixed(1)})`);
  }
}

test('channel-shared noise recovers the channel-mean gradient (its channel sum is the channel-summed gradient)', async () => {
  const model = quadratic(shape);
  const x = randomVector(d, 4);
  const truth = model.gradient(x);
  const projected = projectOntoNoise(truth, shape, 'channel-shared', 1);
  const { gradient } = await likelihoodRatio(shape, { sigma: 1e-2, noise: 'channel-shared' }).estimate({ f: model.f, x, queries: 20_000, rng: new Rng(3) });
  assert.ok(cosine(gradient, projected) > 0.98, `cosine to the projection ${cosine(gradient, projected)}`);
  // The estimate is identical across channels, and 3× it is the channel sum of the true gradient.
  const plane = 64;
  let error = 0, norm = 0;
  for (let i = 0; i < plane; i++) {
    assert.equal(gradient[i], gradient[plane + i]);
    const sum = truth[i]! + truth[plane + i]! + truth[2 * plane + i]!;
    error += (3 * gradient[i]! - sum) ** 2;
    norm += sum ** 2;
  }
  assert.ok(Math.sqrt(error / norm) < 0.15, `relative error of the channel sum ${Math.sqrt(error / norm)}`);
});

test('structured noise is unbiased for the projection P∇f (partial edge tiles included), LR and blockwise', async () => {
  const model = linear(shape, 5);
  const x = randomVector(d, 6);
  for (const [noise, tile] of [['iid', 3], ['channel-shared', 1], ['channel-shared', 3]] as const) {
    const expected = projectOntoNoise(model.gradient(x), shape, noise, tile);
    await assertUnbiased(likelihoodRatio(shape, { sigma: 0.1, noise, tile }), model.f, x, expected, 200);
    await assertUnbiased(blockwise(shape, { sigma: 0.1, noise, tile, block: 0.4 }), model.f, x, expected, 400);
  }
});

test('noise layouts: isotropic fast path, subspace dimension, and group sizes that sum to d', () => {
  assert.equal(noiseLayout(shape, 'iid', 1).isotropic, true);
  assert.equal(noiseLayout(shape, 'channel-shared', 1).dimension, 64);
  assert.equal(noiseLayout(shape, 'iid', 3).dimension, 3 * 9);
  const sizes = noiseLayout(shape, 'channel-shared', 3).groupSizes();
  // Each group's values contribute 1/size each: the reciprocals add up to the number of groups.
  assert.ok(Math.abs(sizes.reduce((a, s) => a + 1 / s, 0) - 9) < 1e-9);
  assert.throws(() => likelihoodRatio(shape, { tile: 0 }), /tile must be an integer/);
  assert.throws(() => likelihoodRatio(shape, { noise: 'pink' as never }), /noise must be one of/);
});

test('tiled blockwise blocks hold whole tiles and cover every tile equally often', () => {
  const s: Shape = { channels: 1, height: 10, width: 7 };
  const sampler = blockSampler(s, 0.5, 3);
  const rng = new Rng(8);
  const hits = new Float64Array(70);
  const n = 60_000;
  for (let k = 0; k < n; k++) {
    const r = sampler.next(rng);
    assert.equal(r.top % 3, 0);
    assert.equal(r.left % 3, 0);
    assert.ok(r.top + r.height === 10 || r.height % 3 === 0);
    for (let y = r.top; y < r.top + r.height; y++) for (let x = r.left; x < r.left + r.width; x++) hits[y * 7 + x]!++;
  }
  for (const h of hits) assert.ok(Math.abs(h / n - sampler.coverage) < 0.01, `coverage ${h / n} vs ${sampler.coverage}`);
});

test('structured noise keeps batch-size-independent determinism and exact query spending', async () => {
  const model = softmaxLinear(shape);
  const x = randomVector(d, 2);
  for (const make of [
    (b: number) => likelihoodRatio(shape, { batchSize: b, noise: 'channel-shared', tile: 2 }),
    (b: number) => blockwise(shape, { batchSize: b, block: 0.4, noise: 'channel-shared', tile: 3, antithetic: true }),
  ]) {
    const results = [];
    for (const b of [1, 3, 64]) {
      const counted = linear(shape);
      const run = await make(b).estimate({ f: counted.f, x, queries: 101, rng: new Rng(11) });
      assert.equal(run.queries, 101);
      assert.equal(counted.calls.queries, 101);
      results.push((await make(b).estimate({ f: model.f, x, queries: 101, rng: new Rng(11) })).gradient);
    }
    for (const r of results.slice(1)) assert.deepEqual(r, results[0]);
  }
});

test('prior-guided: a perfect prior gives the exact gradient, a random one keeps the estimate unbiased', async () => {
  const model = linear(shape, 7);
  const x = randomVector(d, 8);
  const truth = model.gradient(x);
  const perfect = priorGuided(likelihoodRatio(shape, { sigma: 0.01 }), shape, async () => Float32Array.from(truth));
  const run = await perfect.estimate({ f: model.f, x, queries: 10, rng: new Rng(1) });
  assert.equal(run.queries, 10);
  assert.ok(cosine(run.gradient, truth) > 0.999, `cosine ${cosine(run.gradient, truth)}`);
  const random = priorGuided(likelihoodRatio(shape, { sigma: 0.1 }), shape, async () => randomVector(d, 99));
  await assertUnbiased(random, model.f, x, truth, 100);
  const counted = linear(shape);
  await priorGuided(blockwise(shape, { antithetic: true }), shape, async () => randomVector(d, 1)).estimate({ f: counted.f, x, queries: 13, rng: new Rng(2) });
  assert.equal(counted.calls.queries, 13);
  await assert.rejects(perfect.estimate({ f: model.f, x, queries: 3, rng: new Rng(1) }), /at least 4 queries/);
});

test('surrogate prior: inputs and gradients cross preprocessings by the chain rule (BGR caffe ← RGB ±1)', async () => {
  const size = { height: 4, width: 4 };
  const blackBox: Preprocessing = { ...size, ...PREPROCESSING_PRESETS.caffe, mean: [...PREPROCESSING_PRESETS.caffe.mean], std: [1, 1, 1] };
  const surrogatePre: Preprocessing = { ...size, ...PREPROCESSING_PRESETS.inception, mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] };
  const w = randomVector(48, 3);
  const seen: Float32Array[] = [];
  const surrogate: DifferentiableModel = {
    inputShape: [3, 4, 4],
    classCount: 1,
    logitsName: 'logits',
    async gradient(input) {
      seen.push(input);
      return { value: 0, gradient: w, logits: new Float32Array(1) };
    },
    async dispose() {},
  };
  const rgb = Array.from({ length: 48 }, (_, i) => (i * 37) % 256);
  const moved = rgb.map((v, i) => v + ((i * 13) % 7) - 3);
  const xb = toModelInput(blackBox, rgb, 4, 4);
  const prior = await surrogatePrior(surrogate, surrogatePre, blackBox, 0, 'logit')(xb);
  const xs = toModelInput(surrogatePre, rgb, 4, 4);
  for (let i = 0; i < 48; i++) assert.ok(Math.abs(seen[0]![i]! - xs[i]!) < 1e-5);
  // For a linear surrogate, prior · Δx_b must equal w · Δx_s for any pixel change.
  const dxb = toModelInput(blackBox, moved, 4, 4).map((v, i) => v - xb[i]!);
  const dxs = toModelInput(surrogatePre, moved, 4, 4).map((v, i) => v - xs[i]!);
  const lhs = prior.reduce((s, p, i) => s + p * dxb[i]!, 0);
  const rhs = w.reduce((s, p, i) => s + p * dxs[i]!, 0);
  assert.ok(Math.abs(lhs - rhs) < 1e-4 * Math.max(1, Math.abs(rhs)), `${lhs} vs ${rhs}`);
});
