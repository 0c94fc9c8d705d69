import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BatchFunction } from '../src/core/batch-function.js';
import { Rng } from '../src/core/rng.js';
import { cosine, sizeOf, type Shape } from '../src/core/tensor.js';
import { blockwise } from '../src/gradients/blockwise.js';
import { likelihoodRatio } from '../src/gradients/likelihood-ratio.js';
import { reduceChannels } from '../src/methods/channel-reduction.js';
import { integratedGradients } from '../src/methods/integrated-gradients.js';
import { noiseTunnel } from '../src/methods/noise-tunnel.js';
import { createMethod, METHODS } from '../src/methods/registry.js';
import { rise } from '../src/methods/rise.js';
import { exactSource, linear, quadratic, randomVector, softmaxLinear } from './helpers/analytic.js';

const shape: Shape = { channels: 3, height: 8, width: 8 };
const d = sizeOf(shape);
const sum = (v: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]!;
  return s;
};

test('IG satisfies completeness: Σ attribution = f(x) − f(baseline)', async () => {
  for (const [model, steps, tolerance] of [
    [quadratic(shape), 4, 1e-4], // the midpoint rule is exact for quadratics
    [softmaxLinear(shape), 64, 1e-3],
  ] as const) {
    const x = randomVector(d, 1, 2);
    const baseline = randomVector(d, 2);
    const ig = integratedGradients(exactSource(model), { steps, baseline });
    const { values } = await ig.attribute({ f: model.f, x, queries: 0, rng: new Rng(1) });
    const delta = model.value(x) - model.value(baseline);
    assert.ok(Math.abs(sum(values) - delta) < tolerance * Math.max(1, Math.abs(delta)), `Σ ${sum(values)} vs ${delta}`);
  }
});

test('IG on LR gradients is nearly complete with enough queries', async () => {
  const model = quadratic(shape);
  const x = randomVector(d, 3);
  const ig = integratedGradients(likelihoodRatio(shape, { sigma: 0.01 }), { steps: 8 });
  const { values, queries } = await ig.attribute({ f: model.f, x, queries: 40_000, rng: new Rng(4) });
  const delta = model.value(x) - model.value(new Float32Array(d));
  assert.equal(queries, 40_000);
  assert.ok(Math.abs(sum(values) - delta) < 0.05 * Math.abs(delta), `Σ ${sum(values)} vs ${delta}`);
});

test('SmoothGrad of a linear model is its weights; VarGrad is zero there and positive on a quadratic', async () => {
  const lin = linear(shape);
  const x = randomVector(d, 5);
  const smooth = await noiseTunnel(exactSource(lin), 'smoothgrad', { samples: 5 }).attribute({ f: lin.f, x, queries: 0, rng: new Rng(1) });
  assert.ok(cosine(smooth.values, lin.gradient(x)) > 0.999999);
  const vLin = await noiseTunnel(exactSource(lin), 'vargrad', { samples: 5 }).attribute({ f: lin.f, x, queries: 0, rng: new Rng(1) });
  assert.ok(Math.max(...vLin.values) < 1e-10);
  const quad = quadratic(shape);
  const vQuad = await noiseTunnel(exactSource(quad), 'vargrad', { samples: 5 }).attribute({ f: quad.f, x, queries: 0, rng: new Rng(1) });
  assert.ok(Math.min(...vQuad.values) >= 0 && Math.max(...vQuad.values) > 0.01);
});

test('RISE finds the region the black box looks at', async () => {
  const s: Shape = { channels: 3, height: 16, width: 16 };
  // f = mean brightness of the top-left 5×5 patch: only that patch matters.
  const f: BatchFunction = {
    shape: s,
    async evaluate(inputs, count) {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) {
        let acc = 0;
        for (let c = 0; c < 3; c++) for (let y = 0; y < 5; y++) for (let xx = 0; xx < 5; xx++) acc += inputs[i * 768 + c * 256 + y * 16 + xx]!;
        out[i] = acc / 75;
      }
      return out;
    },
  };
  const x = new Float32Array(768).fill(1);
  const { values, shape: mapShape, queries } = await rise({ cells: 4 }).attribute({ f, x, queries: 2000, rng: new Rng(2) });
  assert.equal(queries, 2000);
  assert.equal(mapShape.channels, 1);
  const inside = [] as number[];
  const far = [] as number[];
  for (let y = 0; y < 16; y++) for (let xx = 0; xx < 16; xx++) (y < 5 && xx < 5 ? inside : y > 10 && xx > 10 ? far : []).push(values[y * 16 + xx]!);
  const mean = (v: number[]) => sum(v) / v.length;
  // Unrelated pixels sit at E[f] ≈ 0.5; pixels the function reads sit clearly above.
  assert.ok(mean(inside) > mean(far) + 0.1, `inside ${mean(inside)} vs far ${mean(far)}`);
  const peak = values.indexOf(Math.max(...values));
  assert.ok(Math.floor(peak / 16) < 6 && peak % 16 < 6, `peak at pixel ${peak}`);
});

test('every method × black-box gradient spends exactly its budget, and the same seed gives the same map', async () => {
  const model = softmaxLinear(shape);
  const x = randomVector(d, 7);
  for (const name of METHODS) {
    for (const source of [likelihoodRatio(shape, { batchSize: 3 }), blockwise(shape, { batchSize: 5 })]) {
      const method = createMethod(name, source, { samples: 3, steps: 4 });
      const run = () => method.attribute({ f: model.f, x, queries: 97, rng: new Rng(3) });
      const before = model.calls.queries;
      const a = await run();
      assert.equal(a.queries, 97, `${name}/${source.name}`);
      assert.equal(model.calls.queries - before, 97, `${name}/${source.name}`);
      assert.deepEqual((await run()).values, a.values);
    }
  }
});

test('a budget too small for the method is a clear error', async () => {
  const model = linear(shape);
  const x = randomVector(d, 1);
  const source = likelihoodRatio(shape);
  await assert.rejects(integratedGradients(source, { steps: 10 }).attribute({ f: model.f, x, queries: 15, rng: new Rng(1) }), /integrated gradients needs at least 20 queries/);
  await assert.rejects(noiseTunnel(source, 'smoothgrad', { samples: 4 }).attribute({ f: model.f, x, queries: 3, rng: new Rng(1) }), /smoothgrad needs at least 8 queries/);
  assert.throws(() => createMethod('gradcam', source), /unknown method "gradcam"/);
});

test('channel reductions', () => {
  const s: Shape = { channels: 2, height: 1, width: 2 };
  const v = Float32Array.from([1, -3, -2, 1]);
  assert.deepEqual([...reduceChannels(v, s, 'abs-max')], [2, 3]);
  assert.deepEqual([...reduceChannels(v, s, 'abs-sum')], [3, 4]);
  assert.deepEqual([...reduceChannels(v, s, 'sum')], [-1, -2]);
});
