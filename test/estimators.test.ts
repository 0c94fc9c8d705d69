import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../src/core/rng.js';
import { cosine, sizeOf, type Shape } from '../src/core/tensor.js';
import { blockSampler, blockwise } from '../src/gradients/blockwise.js';
import { likelihoodRatio } from '../src/gradients/likelihood-ratio.js';
import type { GradientSource } from '../src/gradients/gradient-source.js';
import { linear, quadratic, randomVector, softmaxLinear, type Analytic } from './helpers/analytic.js';

const shape: Shape = { channels: 3, height: 8, width: 8 };
const d = sizeOf(shape);

function relativeError(estimate: Float32Array, truth: Float64Array): number {
  let e = 0, t = 0;
  for (let i = 0; i < truth.length; i++) {
    e += (estimate[i]! - truth[i]!) ** 2;
    t += truth[i]! ** 2;
  }
  return Math.sqrt(e / t);
}

async function meanError(model: Analytic, source: GradientSource, x: Float32Array, queries: number, seeds: number): Promise<number> {
  let sum = 0;
  for (let s = 0; s < seeds; s++) {
    const { gradient } = await source.estimate({ f: model.f, x, queries, rng: new Rng(100 + s) });
    sum += relativeError(gradient, model.gradient(x));
  }
  return sum / seeds;
}

for (const [name, make] of [['linear', linear], ['quadratic', quadratic], ['softmax over linear', softmaxLinear]] as const) {
  test(`LR estimate of a ${name} model converges to the true gradient at the 1/√n rate`, async () => {
    const model = make(shape);
    const x = randomVector(d, 9);
    const source = likelihoodRatio(shape, { sigma: 1e-2 });
    const small = await meanError(model, source, x, 400, 6);
    const large = await meanError(model, source, x, 6400, 6);
    // 16× the queries → about 4× smaller error.
    const ratio = small / large;
    assert.ok(ratio > 3 && ratio < 5.3, `error ratio ${ratio.toFixed(2)} (errors ${small.toFixed(3)} → ${large.toFixed(3)})`);
    const { gradient } = await source.estimate({ f: model.f, x, queries: 20_000, rng: new Rng(1) });
    assert.ok(cosine(gradient, model.gradient(x)) > 0.98);
  });
}

test('blockwise estimate converges too (cosine → 1, error ∝ 1/√n)', async () => {
  const model = quadratic(shape);
  const x = randomVector(d, 4);
  const source = blockwise(shape, { sigma: 1e-2, block: 0.25 });
  const small = await meanError(model, source, x, 1000, 6);
  const large = await meanError(model, source, x, 16_000, 6);
  const ratio = small / large;
  assert.ok(ratio > 3 && ratio < 5.3, `error ratio ${ratio.toFixed(2)}`);
  const { gradient } = await source.estimate({ f: model.f, x, queries: 40_000, rng: new Rng(2) });
  assert.ok(cosine(gradient, model.gradient(x)) > 0.97);
});

test('blockwise estimate is unbiased at every pixel, edges and corners included', async () => {
  const small: Shape = { channels: 1, height: 8, width: 8 };
  const model = linear(small, 5);
  const x = randomVector(64, 6);
  const truth = model.gradient(x);
  const source = blockwise(small, { sigma: 0.1, block: 0.25 });
  const runs = 60;
  const sum = new Float64Array(64);
  const sq = new Float64Array(64);
  for (let r = 0; r < runs; r++) {
    const { gradient } = await source.estimate({ f: model.f, x, queries: 400, rng: new Rng(r) });
    for (let i = 0; i < 64; i++) {
      sum[i]! += gradient[i]!;
      sq[i]! += gradient[i]! ** 2;
    }
  }
  for (let i = 0; i < 64; i++) {
    const mean = sum[i]! / runs;
    const sd = Math.sqrt((sq[i]! / runs - mean * mean) / (runs - 1));
    const t = (mean - truth[i]!) / sd;
    assert.ok(Math.abs(t) < 4.5, `pixel ${i}: mean ${mean.toFixed(3)} vs true ${truth[i]!.toFixed(3)} (t = ${t.toFixed(1)})`);
  }
});

test('every pixel has the same probability of being inside a block', () => {
  const s: Shape = { channels: 1, height: 10, width: 7 };
  const sampler = blockSampler(s, 0.3);
  const rng = new Rng(8);
  const hits = new Float64Array(70);
  const n = 100_000;
  for (let k = 0; k < n; k++) {
    const r = sampler.next(rng);
    for (let y = r.top; y < r.top + r.height; y++) for (let x = r.left; x < r.left + r.width; x++) hits[y * 7 + x]!++;
  }
  for (const h of hits) assert.ok(Math.abs(h / n - sampler.coverage) < 0.01, `coverage ${h / n} vs ${sampler.coverage}`);
});

test('same seed → byte-identical estimate, whatever the batch size', async () => {
  const model = softmaxLinear(shape);
  const x = randomVector(d, 2);
  for (const make of [
    (b: number) => likelihoodRatio(shape, { batchSize: b }),
    (b: number) => likelihoodRatio(shape, { batchSize: b, antithetic: true }),
    (b: number) => blockwise(shape, { batchSize: b, block: 0.4 }),
  ]) {
    const results = [];
    for (const b of [1, 3, 8, 64]) results.push((await make(b).estimate({ f: model.f, x, queries: 101, rng: new Rng(11) })).gradient);
    for (const r of results.slice(1)) assert.deepEqual(r, results[0]);
    const other = (await make(8).estimate({ f: model.f, x, queries: 101, rng: new Rng(12) })).gradient;
    assert.notDeepEqual(other, results[0]);
  }
});

test('estimators spend exactly the queries they are given and report them', async () => {
  const x = randomVector(d, 3);
  const cases = [
    { options: {}, queries: 17, valueAtX: undefined },
    { options: {}, queries: 17, valueAtX: 0.3 },
    { options: { antithetic: true }, queries: 17, valueAtX: undefined },
    { options: { antithetic: true }, queries: 16, valueAtX: undefined },
    { options: { antithetic: true }, queries: 17, valueAtX: 0.1 },
    { options: { baseline: false }, queries: 5, valueAtX: undefined },
  ];
  for (const c of cases) {
    for (const source of [likelihoodRatio(shape, { ...c.options, batchSize: 4 }), blockwise(shape, { ...c.options, batchSize: 4 })]) {
      const model = linear(shape);
      const result = await source.estimate({ f: model.f, x, queries: c.queries, rng: new Rng(1), ...(c.valueAtX !== undefined ? { valueAtX: c.valueAtX } : {}) });
      assert.equal(result.queries, c.queries, JSON.stringify(c));
      assert.equal(model.calls.queries, c.queries, JSON.stringify(c));
      assert.ok(Math.max(...model.calls.batches) <= 4);
    }
  }
});

test('baseline subtraction removes the f(x)·z variance that dominates at small σ', async () => {
  const model = linear(shape);
  const x = randomVector(d, 5, 10);
  const withBaseline = await meanError(model, likelihoodRatio(shape, { sigma: 0.01 }), x, 500, 4);
  const without = await meanError(model, likelihoodRatio(shape, { sigma: 0.01, baseline: false }), x, 500, 4);
  assert.ok(without > 10 * withBaseline, `error without baseline ${without}, with ${withBaseline}`);
});

test('bad settings and budgets are clear errors', async () => {
  const model = linear(shape);
  const x = randomVector(d, 3);
  assert.throws(() => likelihoodRatio(shape, { sigma: 0 }), /sigma must be a number > 0/);
  assert.throws(() => blockwise(shape, { block: 1.5 }), /block must be in \(0, 1\]/);
  await assert.rejects(likelihoodRatio(shape).estimate({ f: model.f, x, queries: 1, rng: new Rng(1) }), /at least 2 queries/);
  await assert.rejects(likelihoodRatio(shape).estimate({ f: model.f, x: new Float32Array(5), queries: 10, rng: new Rng(1) }), /point has 5 values/);
});
