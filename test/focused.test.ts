import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../src/core/rng.js';
import { cosine, sizeOf, type Shape } from '../src/core/tensor.js';
import { cellCoordinates, focused, rankCells } from '../src/gradients/focused.js';
import { likelihoodRatio } from '../src/gradients/likelihood-ratio.js';
import { projectOntoNoise } from '../src/gradients/noise-shapes.js';
import { createGradientSource } from '../src/gradients/registry.js';
import { integratedGradients } from '../src/methods/integrated-gradients.js';
import { batched, linear, quadratic, randomVector, type Analytic } from './helpers/analytic.js';

const shape: Shape = { channels: 3, height: 8, width: 8 };
const d = sizeOf(shape);

/** f(x) = w·x with w zero outside the top-left 2×2 pixels: a gradient concentrated in one corner. */
function corner(): Analytic {
  const w = new Float32Array(d);
  const dense = randomVector(d, 5);
  for (let c = 0; c < 3; c++) for (let y = 0; y < 2; y++) for (let x = 0; x < 2; x++) w[c * 64 + y * 8 + x] = dense[c * 64 + y * 8 + x]!;
  const value = (x: Float32Array) => x.reduce((s, v, i) => s + v * w[i]!, 0);
  const calls = { queries: 0, batches: [] as number[] };
  return { f: batched(shape, value, calls), value, gradient: () => Float64Array.from(w), calls };
}

test('cells tile the image: every coefficient in exactly one cell', () => {
  for (const [grid, shared] of [[3, false], [4, true], [8, false]] as const) {
    const seen = new Uint8Array(shared ? 64 : d);
    for (const cell of cellCoordinates(shape, grid, shared)) for (const k of cell) seen[k]!++;
    assert.ok(seen.every((n) => n === 1), `grid ${grid}, shared ${shared}`);
  }
});

test('a linear model is recovered exactly once every value has had its query (orthogonal directions)', async () => {
  const model = linear(shape);
  const x = randomVector(d, 9);
  const truth = model.gradient(x);
  const iid = await focused(shape, { noise: 'iid', grid: 4, survey: 0.1 }).estimate({ f: model.f, x, queries: d + 40, rng: new Rng(1) });
  assert.ok(cosine(iid.gradient, truth) > 0.999999, `iid cosine ${cosine(iid.gradient, truth)}`);
  for (let i = 0; i < d; i++) assert.ok(Math.abs(iid.gradient[i]! - truth[i]!) < 1e-3, `value ${i}`);
  // Channel-shared noise converges to the channel mean of the gradient.
  const shared = await focused(shape, { noise: 'channel-shared', grid: 4, survey: 0.1 }).estimate({ f: model.f, x, queries: 64 + 20, rng: new Rng(2) });
  const mean = projectOntoNoise(truth, shape, 'channel-shared', 1);
  for (let i = 0; i < d; i++) assert.ok(Math.abs(shared.gradient[i]! - mean[i]!) < 1e-3, `channel mean ${i}`);
});

test('error never grows with more queries on a linear model, and falls well below plain LR', async () => {
  const model = linear(shape, 3);
  const x = randomVector(d, 4);
  const truth = model.gradient(x);
  const source = focused(shape, { noise: 'iid', grid: 2, survey: 0.1 });
  const cosines: number[] = [];
  for (const n of [20, 60, 120, 180]) cosines.push(cosine((await source.estimate({ f: model.f, x, queries: n, rng: new Rng(7) })).gradient, truth));
  for (let i = 1; i < cosines.length; i++) assert.ok(cosines[i]! > cosines[i - 1]!, `cosines ${cosines.map((c) => c.toFixed(3))}`);
  const lr = await likelihoodRatio(shape, { sigma: 0.01 }).estimate({ f: model.f, x, queries: 120, rng: new Rng(7) });
  assert.ok(cosines[2]! > cosine(lr.gradient, truth) + 0.1, `focused ${cosines[2]} vs lr ${cosine(lr.gradient, truth)} at 120 queries`);
});

test('the survey finds a concentrated gradient and spends the rest of the budget there', async () => {
  const model = corner();
  const x = randomVector(d, 6);
  const truth = model.gradient(x);
  // 4×4 grid of 2×2-pixel cells (12 values each); 60 queries ≪ 192 values, but the hot cell needs only 12.
  const { gradient } = await focused(shape, { noise: 'iid', grid: 4, survey: 0.5 }).estimate({ f: model.f, x, queries: 60, rng: new Rng(3) });
  const lr = await likelihoodRatio(shape, { sigma: 0.01 }).estimate({ f: model.f, x, queries: 60, rng: new Rng(3) });
  assert.ok(cosine(gradient, truth) > 0.99, `focused cosine ${cosine(gradient, truth)}`);
  assert.ok(cosine(lr.gradient, truth) < 0.8, `plain LR cosine ${cosine(lr.gradient, truth)}`);
});

test('cells are ranked by measured density mixed with their neighbours\'; cells nobody measured come last', () => {
  // 2×2 grid, mean densities 2, 9, –, 1: scores ½·own + ½·neighbour mean = 3.5, 5.25, 2 (neighbours only), 3.25.
  assert.deepEqual(rankCells(Float64Array.from([4, 9, 0, 3]), Float64Array.from([2, 1, 0, 3]), 2), [1, 0, 3, 2]);
  // 4×4 grid, only cell 5 measured: it, then its 8 neighbours (grid order), then the rest (grid order).
  const density = new Float64Array(16);
  const visits = new Float64Array(16);
  density[5] = 1;
  visits[5] = 1;
  assert.deepEqual(rankCells(density, visits, 4), [5, 0, 1, 2, 4, 6, 8, 9, 10, 3, 7, 11, 12, 13, 14, 15]);
});

test('same seed → identical estimate whatever the batch size; the budget is spent exactly', async () => {
  const model = quadratic(shape);
  const x = randomVector(d, 8);
  const results = [];
  for (const batchSize of [1, 5, 16]) {
    const before = model.calls.queries;
    const r = await focused(shape, { batchSize, sigma: 0.05 }).estimate({ f: model.f, x, queries: 97, rng: new Rng(42) });
    assert.equal(r.queries, 97);
    assert.equal(model.calls.queries - before, 97);
    results.push(r.gradient);
  }
  assert.deepEqual(results[1], results[0]);
  assert.deepEqual(results[2], results[0]);
  // A known f(x) saves the baseline query.
  const r = await focused(shape).estimate({ f: model.f, x, queries: 30, rng: new Rng(1), valueAtX: model.value(x) });
  assert.equal(r.queries, 30);
});

test('bad focused settings and budgets are clear errors', async () => {
  const model = linear(shape);
  const x = randomVector(d, 1);
  assert.throws(() => focused(shape, { grid: 0 }), /grid/);
  assert.throws(() => focused(shape, { grid: 9 }), /grid must be at most 8/);
  assert.throws(() => focused(shape, { survey: 0 }), /survey/);
  assert.throws(() => focused(shape, { survey: 1.5 }), /survey/);
  assert.throws(() => createGradientSource('focused', shape, { sigma: 0.1, tile: 2 }), /no tiles/);
  await assert.rejects(focused(shape).estimate({ f: model.f, x, queries: 1, rng: new Rng(1) }), /at least 2 queries/);
  await assert.rejects(focused(shape).estimate({ f: model.f, x: new Float32Array(5), queries: 10, rng: new Rng(1) }), /point has 5 values/);
});

test('Integrated Gradients hands focused its whole path: one survey, completeness on a linear model', async () => {
  const model = linear(shape, 11);
  const x = randomVector(d, 12);
  const baseline = randomVector(d, 13);
  const source = focused(shape, { noise: 'iid', grid: 4, survey: 0.1 });
  const ig = integratedGradients(source, { steps: 4, baseline });
  assert.equal(ig.minQueries, 5);
  const before = model.calls.queries;
  const { values, queries } = await ig.attribute({ f: model.f, x, queries: 4 + d + 40, rng: new Rng(3) });
  assert.equal(queries, 4 + d + 40);
  assert.equal(model.calls.queries - before, queries);
  const total = values.reduce((s, v) => s + v, 0);
  const expected = model.value(x) - model.value(baseline);
  assert.ok(Math.abs(total - expected) < 1e-3 * Math.abs(expected), `Σ attribution ${total} vs f(x) − f(b) ${expected}`);
  await assert.rejects(ig.attribute({ f: model.f, x, queries: 4, rng: new Rng(3) }), /at least 5 queries/);
});
