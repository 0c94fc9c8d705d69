import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../src/core/rng.js';
import { sizeOf, type Shape } from '../src/core/tensor.js';
import { blockwise } from '../src/gradients/blockwise.js';
import { likelihoodRatio } from '../src/gradients/likelihood-ratio.js';
import { validateExplainOptions } from '../src/explain/validate-options.js';
import { integratedGradients } from '../src/methods/integrated-gradients.js';
import { createMethod } from '../src/methods/registry.js';
import { exactSource, linear, quadratic, randomVector } from './helpers/analytic.js';

const shape: Shape = { channels: 3, height: 4, width: 4 };
const d = sizeOf(shape);
const sum = (v: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]!;
  return s;
};
const relativeError = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return Math.sqrt(num / den);
};
const sources = {
  'lr': (o = {}) => likelihoodRatio(shape, { sigma: 0.05, ...o }),
  'lr antithetic': (o = {}) => likelihoodRatio(shape, { sigma: 0.05, antithetic: true, ...o }),
  'blockwise': (o = {}) => blockwise(shape, { sigma: 0.05, block: 0.5, ...o }),
};

test('sampled-path IG is complete on a linear model: Σ attribution ≈ f(x) − f(b)', async () => {
  const model = linear(shape);
  const w = model.gradient(new Float32Array(d));
  const x = randomVector(d, 5);
  const baseline = randomVector(d, 6, 0.3);
  const v = Float32Array.from(x, (xi, j) => xi - baseline[j]!);
  const delta = model.value(x) - model.value(baseline);
  const queries = 40_000;
  // Each direction adds (v·u)(w·u)/p, u standard normal on the covered values: variance ≈ (|w|²|v|² + (w·v)²)/p.
  const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => sum(Array.from(a, (ai, j) => ai * b[j]!));
  const spread = Math.sqrt(dot(w, w) * dot(v, v) + dot(w, v) ** 2);
  for (const [name, make] of Object.entries(sources)) {
    const source = make();
    const coverage = name === 'blockwise' ? 4 / 25 : 1; // block 2×2 on a 4×4 image: (2·2)/(5·5)
    const ig = integratedGradients(source, { path: 'sampled', baseline });
    const { values } = await ig.attribute({ f: model.f, x, queries, rng: new Rng(7) });
    const tolerance = 4 * spread / Math.sqrt(queries * coverage);
    assert.ok(tolerance < 0.25 * Math.abs(delta), 'the test is too weak to see a wrong scale');
    assert.ok(Math.abs(sum(values) - delta) < tolerance, `${name}: Σ ${sum(values)} vs ${delta} ± ${tolerance}`);
  }
});

test('sampled-path IG gives the same bits whatever the batch size (odd budgets, pairs, anchors)', async () => {
  const model = quadratic(shape);
  const x = randomVector(d, 8);
  for (const [name, make] of Object.entries(sources)) {
    for (const queries of [151, 300]) {
      const maps = [];
      for (const batchSize of [1, 3, 8, 64]) {
        const ig = integratedGradients(make({ batchSize }), { path: 'sampled', steps: 5 });
        maps.push((await ig.attribute({ f: model.f, x, queries, rng: new Rng(9) })).values);
      }
      for (const map of maps.slice(1)) assert.deepEqual(Buffer.from(map.buffer), Buffer.from(maps[0]!.buffer), `${name}, ${queries} queries`);
      // Another seed gives another map (the randomness is used at all).
      const other = await integratedGradients(make(), { path: 'sampled', steps: 5 }).attribute({ f: model.f, x, queries, rng: new Rng(10) });
      assert.notDeepEqual(Buffer.from(other.values.buffer), Buffer.from(maps[0]!.buffer));
    }
  }
});

test('sampled-path IG spends exactly its budget, anchors included', async () => {
  for (const [name, make] of Object.entries(sources)) {
    for (const queries of [12, 13, 64, 65, 129, 1000]) {
      const model = linear(shape);
      const { queries: spent } = await integratedGradients(make({ batchSize: 7 }), { path: 'sampled', steps: 10 }).attribute({ f: model.f, x: randomVector(d, 1), queries, rng: new Rng(1) });
      assert.equal(spent, queries, `${name} reports ${spent} of ${queries}`);
      assert.equal(model.calls.queries, queries, `${name} queried f ${model.calls.queries} times for ${queries}`);
      assert.ok(Math.max(...model.calls.batches) <= 7, `${name}: a batch larger than the batch size`);
    }
  }
});

test('sampled-path IG is unbiased on a quadratic: the mean over seeds approaches exact IG', async () => {
  const model = quadratic(shape);
  const x = randomVector(d, 11);
  const baseline = randomVector(d, 12, 0.5);
  // The midpoint rule is exact for quadratics: 4 exact steps give exact IG.
  const exact = (await integratedGradients(exactSource(model), { steps: 4, baseline }).attribute({ f: model.f, x, queries: 0, rng: new Rng(1) })).values;
  for (const [name, make] of Object.entries(sources)) {
    const ig = integratedGradients(make(), { path: 'sampled', steps: 4, baseline });
    const mean = new Float64Array(d);
    const seeds = 64;
    let single = 0;
    for (let seed = 0; seed < seeds; seed++) {
      const { values } = await ig.attribute({ f: model.f, x, queries: 1000, rng: new Rng(100 + seed) });
      if (seed === 0) single = relativeError(values, exact);
      for (let j = 0; j < d; j++) mean[j]! += values[j]! / seeds;
    }
    const meanError = relativeError(mean, exact);
    // Noise alone shrinks as 1/√64 = 0.125 of one run's error; a bias would not.
    assert.ok(meanError < 0.3 * single, `${name}: mean error ${meanError.toFixed(3)} vs one run ${single.toFixed(3)}`);
  }
});

test('sampled-path IG refuses sources without path estimates, unknown paths and too small budgets', async () => {
  const model = linear(shape);
  assert.throws(() => integratedGradients(exactSource(model), { path: 'sampled' }), /needs a gradient source that estimates path integrals/);
  assert.throws(() => integratedGradients(sources.lr(), { path: 'zigzag' as 'steps' }), /unknown IG path "zigzag"/);
  const ig = integratedGradients(sources.lr(), { path: 'sampled', steps: 10 });
  assert.equal(ig.minQueries, 12);
  await assert.rejects(ig.attribute({ f: model.f, x: randomVector(d, 1), queries: 11, rng: new Rng(1) }), /needs at least 12 queries/);
  assert.equal(integratedGradients(sources['lr antithetic'](), { path: 'sampled' }).minQueries, 2);
});

test('explain options: igPath is checked, and the sampled path lowers IG\'s minimum budget to its anchors + 1', () => {
  assert.throws(() => validateExplainOptions({ method: 'ig', igPath: 'zigzag' }), /igPath must be one of steps, sampled, got "?zigzag/);
  // 10 steps × 2 queries per blockwise estimate + 1 prediction = 21 with steps; 10 + 1 anchors + 1 direction + 1 prediction = 13 sampled.
  assert.throws(() => validateExplainOptions({ method: 'ig', gradient: 'blockwise', queries: 20 }), /needs at least 21 queries/);
  validateExplainOptions({ method: 'ig', gradient: 'blockwise', queries: 13, igPath: 'sampled' });
  assert.throws(() => validateExplainOptions({ method: 'ig', gradient: 'blockwise', queries: 12, igPath: 'sampled' }), /needs at least 13 queries/);
  assert.equal(createMethod('ig', sources.blockwise(), { path: 'sampled', steps: 3 }).minQueries, 5);
});
