/** One explain() for any black box: functions, method and gradient instances, noise tunnels over any method. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LrsalError } from '../src/core/errors.js';
import { cosine, sizeOf, type Shape } from '../src/core/tensor.js';
import { explain } from '../src/explain/index.js';
import type { GradientSource } from '../src/gradients/gradient-source.js';
import { integratedGradients } from '../src/methods/integrated-gradients.js';
import { noiseTunnel } from '../src/methods/noise-tunnel.js';
import { vanillaGradient } from '../src/methods/vanilla.js';
import { Rng } from '../src/core/rng.js';
import { exactSource, linear, quadratic, randomVector } from './helpers/analytic.js';
import { kitten } from './helpers/files.js';

const shape: Shape = { channels: 3, height: 8, width: 8 };
const d = sizeOf(shape);

/** A plain user function from an analytic model (what a user would pass). */
function userFunction(model: ReturnType<typeof linear>) {
  return async (inputs: Float32Array, count: number) => Float32Array.from(await model.f.evaluate(inputs, count));
}

test('a plain function is explained from an input x: exact budget, f(x) reported, gradient recovered', async () => {
  const model = linear(shape);
  const x = randomVector(d, 5);
  const r = await explain(userFunction(model), x, { inputShape: shape, method: 'vanilla', gradient: 'lr', queries: 3000, sigma: 0.01, noise: 'iid', tile: 1, seed: 1 });
  assert.equal(r.queries, 3000);
  assert.equal(model.calls.queries, 3000);
  assert.equal(r.objective, 'function');
  assert.ok(Math.abs(r.valueAtX - model.value(x)) < 1e-4);
  assert.ok(cosine(r.attribution, Float32Array.from(model.gradient(x))) > 0.5, 'the estimate points along the true gradient');
  assert.equal(r.queryStats.count, 3000);
  assert.ok(r.queryStats.std > 0);
  assert.deepEqual([r.sent, r.cacheHits, r.cost], [0, 0, 0]);
});

test('a plain function is explained from an image file (decoded, resized and scaled to 0..1)', async () => {
  const seen: number[] = [];
  const f = async (inputs: Float32Array, count: number) => {
    seen.push(Math.max(...inputs.subarray(0, 3 * 16 * 16)));
    return new Float32Array(count).map((_, i) => inputs[i * 3 * 16 * 16]!);
  };
  const r = await explain(f, kitten, { inputShape: { channels: 3, height: 16, width: 16 }, method: 'vanilla', gradient: 'lr', queries: 20 });
  assert.ok(r.image && r.image.width === 16 && r.image.height === 16);
  assert.ok(seen[0]! <= 1 && seen[0]! > 0.2, 'inputs are RGB in 0..1');
  assert.equal(r.map.length, 256);
});

test('a function without inputShape, or returning the wrong count, is a clear error', async () => {
  const f = async (_: Float32Array, count: number) => new Float32Array(count);
  await assert.rejects(explain(f, new Float32Array(d), {}), (e: unknown) => e instanceof LrsalError && /inputShape/.test(e.message));
  const wrong = async () => new Float32Array(1);
  await assert.rejects(
    explain(wrong, new Float32Array(d), { inputShape: shape, method: 'vanilla', gradient: 'lr', queries: 20, batchSize: 4 }),
    (e: unknown) => e instanceof LrsalError && /one score per input/.test(e.message),
  );
  await assert.rejects(explain(f, new Float32Array(5), { inputShape: shape }), (e: unknown) => e instanceof LrsalError && /5 values/.test(e.message));
});

test('gradient and method accept instances: a user GradientSource and a ready AttributionMethod', async () => {
  const model = quadratic(shape);
  const x = randomVector(d, 2);
  const exact: GradientSource = { ...exactSource(model), name: 'mine' };
  const viaSource = await explain(userFunction(model as never), x, { inputShape: shape, method: 'vanilla', gradient: exact, queries: 2 });
  assert.equal(viaSource.gradient, 'mine');
  assert.deepEqual(Array.from(viaSource.attribution), Array.from(Float32Array.from(model.gradient(x))));
  const ig = integratedGradients(exact, { steps: 64 });
  const viaMethod = await explain(userFunction(model as never), x, { inputShape: shape, method: ig, queries: 2 });
  const sum = viaMethod.attribution.reduce((s, v) => s + v, 0);
  assert.ok(Math.abs(sum - (model.value(x) - model.value(new Float32Array(d)))) < 1e-3, 'IG completeness through explain()');
});

test('the noise tunnel wraps any method: SmoothGrad over IG is the mean of IG maps at noisy copies', async () => {
  const model = quadratic(shape);
  const x = randomVector(d, 3);
  const exact = exactSource(model);
  const tunnel = noiseTunnel(integratedGradients(exact, { steps: 8 }), 'smoothgrad', { samples: 3, noiseLevel: 0.1 });
  assert.equal(tunnel.name, 'smoothgrad(ig)');
  const { values } = await tunnel.attribute({ f: model.f, x, queries: 0, rng: new Rng(9) });
  // The same noisy copies by hand.
  const rng = new Rng(9);
  let min = Infinity;
  let max = -Infinity;
  for (const v of x) [min, max] = [Math.min(min, v), Math.max(max, v)];
  const expected = new Float64Array(d);
  for (let i = 0; i < 3; i++) {
    const noisy = new Float32Array(d);
    rng.fillNormal(noisy, 0, d, 0.1 * (max - min));
    for (let j = 0; j < d; j++) noisy[j]! += x[j]!;
    const { values: one } = await integratedGradients(exact, { steps: 8 }).attribute({ f: model.f, x: noisy, queries: 0, rng });
    for (let j = 0; j < d; j++) expected[j]! += one[j]! / 3;
  }
  for (let j = 0; j < d; j++) assert.ok(Math.abs(values[j]! - expected[j]!) < 1e-5);
  // The classic SmoothGrad (a tunnel over a gradient source) is unchanged: a tunnel over vanilla.
  const classic = await noiseTunnel(exact, 'smoothgrad', { samples: 3 }).attribute({ f: model.f, x, queries: 0, rng: new Rng(4) });
  const overVanilla = await noiseTunnel(vanillaGradient(exact), 'smoothgrad', { samples: 3 }).attribute({ f: model.f, x, queries: 0, rng: new Rng(4) });
  assert.deepEqual(classic.values, overVanilla.values);
});

test('explain(tunnel) on a function spends the budget across copies of IG', async () => {
  const model = linear(shape);
  const r = await explain(userFunction(model), randomVector(d, 4), { inputShape: shape, method: 'ig', tunnel: 'smoothgrad', gradient: 'lr', samples: 2, steps: 3, queries: 61 });
  assert.equal(r.method, 'smoothgrad(ig)');
  assert.equal(r.queries, 61);
});

test('remote objectives and score objectives are refused on the wrong kind of black box', async () => {
  const f = async (_: Float32Array, count: number) => new Float32Array(count);
  await assert.rejects(explain(f, new Float32Array(d), { inputShape: shape, gradient: 'backprop', method: 'vanilla', queries: 5 }), /backprop/);
  await assert.rejects(explain({} as never, new Float32Array(d)), /classifier|function/);
});
