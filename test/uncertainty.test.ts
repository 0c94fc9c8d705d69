/**
 * Per-pixel standard errors from the same queries (gradients/standard-error.ts, methods/map-uncertainty.ts):
 * calibrated against the spread of estimates over many seeds on analytic models, byte-identical across batch
 * sizes and shard merges, shrinking like 1/√n, and absent (with a reason) where no SE is defined.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../src/core/rng.js';
import { sizeOf, type Shape } from '../src/core/tensor.js';
import { explain } from '../src/explain/index.js';
import { blockwise } from '../src/gradients/blockwise.js';
import { likelihoodRatio } from '../src/gradients/likelihood-ratio.js';
import { MergeLedger, PlanLedger, ShardRunLedger, splitPlan, type ChunkSum } from '../src/gradients/shard-ledger.js';
import { standardErrors } from '../src/gradients/standard-error.js';
import type { AttributionMethod } from '../src/methods/attribution.js';
import { reduceChannels } from '../src/methods/channel-reduction.js';
import { integratedGradients } from '../src/methods/integrated-gradients.js';
import { mapStandardErrorOf, signalToNoise } from '../src/methods/map-uncertainty.js';
import { noiseTunnel } from '../src/methods/noise-tunnel.js';
import { vanillaGradient } from '../src/methods/vanilla.js';
import { linear, quadratic, randomVector, type Analytic } from './helpers/analytic.js';

const shape: Shape = { channels: 3, height: 8, width: 8 };
const d = sizeOf(shape);
const plane = shape.height * shape.width;
const bytes = (v: ArrayBufferView) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

/**
 * Over `seeds` runs: mean over values of (mean reported SE²) / (empirical variance of the estimate), for the
 * attribution values and for the map (reduction 'sum', which is linear: its SE is exact, not first-order).
 */
async function calibration(make: () => AttributionMethod, model: Analytic, x: Float32Array, queries: number, seeds: number) {
  const runs: Array<{ values: Float32Array; se: Float32Array; map: Float32Array; mapSe: Float32Array }> = [];
  for (let s = 0; s < seeds; s++) {
    const r = await make().attribute({ f: model.f, x, queries, rng: new Rng(1000 + s), valueAtX: model.value(x) });
    assert.ok(r.covariance, 'the estimate reports its covariance');
    runs.push({ values: r.values, se: standardErrors(r.covariance), map: reduceChannels(r.values, r.shape, 'sum'), mapSe: mapStandardErrorOf(r.values, r.shape, r.covariance, 'sum') });
  }
  const ratio = (get: (r: (typeof runs)[number]) => [Float32Array, Float32Array], n: number) => {
    let total = 0;
    for (let j = 0; j < n; j++) {
      let mean = 0;
      for (const r of runs) mean += get(r)[0][j]! / seeds;
      let variance = 0;
      let reported = 0;
      for (const r of runs) {
        variance += (get(r)[0][j]! - mean) ** 2 / (seeds - 1);
        reported += get(r)[1][j]! ** 2 / seeds;
      }
      total += reported / variance / n;
    }
    return total;
  };
  return { values: ratio((r) => [r.values, r.se], d), map: ratio((r) => [r.map, r.mapSe], plane) };
}

// Tolerance ±20 %: the wrong formulas are far off (σ² missing: 10⁴; averaging over covering directions only in
// blockwise: 1/p ≈ 7.6; channel-shared channels combined as independent: 1/3 on the map; group size missing: ≥ 4).
const within = (ratio: number, what: string) => assert.ok(ratio > 0.8 && ratio < 1.2, `${what}: reported SE² / empirical variance = ${ratio.toFixed(3)}`);

const calibrated: Array<[string, () => AttributionMethod, Analytic, number]> = [
  ['vanilla lr, iid noise, linear f', () => vanillaGradient(likelihoodRatio(shape, { sigma: 0.01, noise: 'iid', tile: 1 })), linear(shape), 200],
  ['vanilla lr, channel-shared 2×2 tiles, linear f', () => vanillaGradient(likelihoodRatio(shape, { sigma: 0.01, noise: 'channel-shared', tile: 2 })), linear(shape), 200],
  ['vanilla blockwise (coverage p ≈ 0.13), linear f', () => vanillaGradient(blockwise(shape, { sigma: 0.01, block: 0.5 })), linear(shape), 300],
  ['vanilla blockwise antithetic, quadratic f', () => vanillaGradient(blockwise(shape, { sigma: 0.05, block: 0.25, antithetic: true })), quadratic(shape), 400],
  ['IG over lr (3 independent steps), quadratic f', () => integratedGradients(likelihoodRatio(shape, { sigma: 0.01, batchSize: 7 }), { steps: 3, baseline: randomVector(d, 9, 0.5) }), quadratic(shape), 300],
  ['IG, sampled path over blockwise (one estimate, stratified α), linear f', () => integratedGradients(blockwise(shape, { sigma: 0.01, block: 0.5 }), { steps: 3, path: 'sampled' }), linear(shape), 300],
  ['SmoothGrad over blockwise (3 copies), linear f', () => noiseTunnel(blockwise(shape, { sigma: 0.01, block: 0.5 }), 'smoothgrad', { samples: 3 }), linear(shape), 300],
];

for (const [name, make, model, queries] of calibrated) {
  test(`${name}: the reported standard error matches the spread of estimates over 150 seeds`, async () => {
    const ratios = await calibration(make, model, randomVector(d, 4), queries, 150);
    within(ratios.values, 'per value');
    within(ratios.map, 'channel-summed map');
  });
}

test('with channel-shared noise the channels are one estimate: the map SE is Σ_c se_c, not √Σ se_c²', async () => {
  const model = linear(shape);
  const x = randomVector(d, 4);
  const r = await vanillaGradient(likelihoodRatio(shape, { sigma: 0.01, noise: 'channel-shared', tile: 1 })).attribute({ f: model.f, x, queries: 200, rng: new Rng(3), valueAtX: model.value(x) });
  const se = standardErrors(r.covariance!);
  const mapSe = mapStandardErrorOf(r.values, r.shape, r.covariance!, 'sum');
  for (const p of [0, 17, 63]) assert.ok(Math.abs(mapSe[p]! - (se[p]! + se[plane + p]! + se[2 * plane + p]!)) < 1e-6 * mapSe[p]!, `pixel ${p}`);
});

test('the standard error shrinks like 1/√n', async () => {
  const model = linear(shape);
  const x = randomVector(d, 4);
  const meanSe = async (queries: number) => {
    let total = 0;
    for (let s = 0; s < 8; s++) {
      const r = await vanillaGradient(blockwise(shape, { sigma: 0.01, block: 0.5 })).attribute({ f: model.f, x, queries, rng: new Rng(s), valueAtX: model.value(x) });
      total += standardErrors(r.covariance!).reduce((a, b) => a + b, 0);
    }
    return total;
  };
  const ratio = (await meanSe(400)) / (await meanSe(6400));
  assert.ok(ratio > 3.6 && ratio < 4.4, `SE(400) / SE(6400) = ${ratio.toFixed(3)}, expected √16 = 4`);
});

const determinism: Array<[string, (batchSize: number) => AttributionMethod, number]> = [
  ['vanilla blockwise', (b) => vanillaGradient(blockwise(shape, { sigma: 0.01, batchSize: b })), 301],
  ['IG over lr, channel-shared', (b) => integratedGradients(likelihoodRatio(shape, { sigma: 0.01, batchSize: b, noise: 'channel-shared', tile: 2 }), { steps: 3 }), 450],
  ['SmoothGrad over lr, antithetic', (b) => noiseTunnel(likelihoodRatio(shape, { sigma: 0.01, batchSize: Math.max(2, b), antithetic: true }), 'smoothgrad', { samples: 2 }), 401],
];

for (const [name, make, queries] of determinism) {
  test(`${name}: the standard error is byte-identical across batch sizes and shard merges`, async () => {
    const model = quadratic(shape);
    const x = randomVector(d, 3);
    const single = await make(8).attribute({ f: model.f, x, queries, rng: new Rng(7) });
    assert.ok(single.covariance);
    for (const batchSize of [1, 5, 64]) {
      const other = await make(batchSize).attribute({ f: model.f, x, queries, rng: new Rng(7) });
      assert.deepEqual(bytes(other.values), bytes(single.values), `values, batch ${batchSize}`);
      assert.deepEqual(bytes(other.covariance!.values), bytes(single.covariance.values), `covariance, batch ${batchSize}`);
    }
    // Plan, one-chunk shards in reverse order, merge: sums of squares merge like the sums.
    for (const keep of [true, false]) {
      const plan = new PlanLedger();
      await make(8).attribute({ f: model.f, x, queries, rng: new Rng(7), chunks: plan });
      const sums: ChunkSum[] = [];
      for (const range of splitPlan(plan.result, 1).reverse()) {
        const ledger = new ShardRunLedger(plan.result, range, keep);
        await make(8).attribute({ f: model.f, x, queries, rng: new Rng(7), chunks: ledger });
        sums.push(...ledger.sums);
      }
      const merged = await make(8).attribute({ f: model.f, x, queries, rng: new Rng(7), chunks: new MergeLedger(plan.result, sums) });
      // The SE never feeds the estimate: the same bits with or without sums of squares.
      assert.deepEqual(bytes(merged.values), bytes(single.values));
      if (keep) assert.deepEqual(bytes(merged.covariance!.values), bytes(single.covariance.values));
      else assert.equal(merged.covariance, undefined, 'chunks merged without sums of squares report no SE rather than a wrong one');
    }
  });
}

test('signal-to-noise: the share of pixels above 2·SE and the median |map|/SE of the top decile', () => {
  const map = Float32Array.from({ length: 20 }, (_, i) => (i < 2 ? 10 : i < 5 ? 3 : 1));
  const se = new Float32Array(20).fill(1);
  const snr = signalToNoise(map, se);
  assert.equal(snr.aboveTwoSe, 5 / 20);
  assert.equal(snr.topDecileMedian, 10);
});

/** f with no gradient at all: a hash of the input's bits (every answer independent noise). */
const hashNoise = async (inputs: Float32Array, count: number) => {
  const bits = new Uint32Array(inputs.buffer, inputs.byteOffset, inputs.length);
  return Float32Array.from({ length: count }, (_, q) => {
    let h = 2166136261;
    for (let i = q * d; i < (q + 1) * d; i++) h = Math.imul(h ^ bits[i]!, 16777619);
    return (h >>> 0) / 2 ** 32 - 0.5;
  });
};

for (const [noise, level] of [['iid', 0.15], ['channel-shared', 0.046]] as const) {
  test(`a map of pure noise (${noise}) scores what the chance figure says: about ${level * 100} % of pixels above 2·SE`, async () => {
    const shape16: Shape = { channels: 3, height: 16, width: 16 };
    const r = await explain(async (inputs, count) => hashNoise(inputs, count), randomVector(3 * 256, 2), { inputShape: shape16, method: 'vanilla', gradient: 'lr', noise, tile: 1, queries: 400, sigma: 0.01, seed: 1 });
    const { aboveTwoSe, chance } = r.uncertainty!.signalToNoise;
    assert.ok(Math.abs(chance!.aboveTwoSe - level) < 0.04, `chance ${chance!.aboveTwoSe}`);
    assert.ok(Math.abs(aboveTwoSe - chance!.aboveTwoSe) < 0.05, `pure noise ${aboveTwoSe} vs chance ${chance!.aboveTwoSe}`);
  });
}

const userFunction = (model: Analytic) => async (inputs: Float32Array, count: number) => Float32Array.from(await model.f.evaluate(inputs, count));

test('explain(): uncertainty where it is defined, null with a reason elsewhere', async () => {
  const model = linear(shape);
  const x = randomVector(d, 5);
  const base = { inputShape: shape, queries: 400, sigma: 0.01, seed: 2 } as const;
  const ig = await explain(userFunction(model), x, { ...base, method: 'ig', gradient: 'blockwise', steps: 3 });
  assert.ok(ig.uncertainty);
  assert.equal(ig.uncertainty.mapStandardError.length, plane);
  assert.equal(ig.uncertainty.standardError.length, d);
  assert.ok(ig.uncertainty.signalToNoise.aboveTwoSe > 0 && ig.uncertainty.signalToNoise.aboveTwoSe <= 1);
  assert.ok(ig.uncertainty.signalToNoise.topDecileMedian > 2, 'a linear model at 400 queries stands out of its noise');
  assert.ok(ig.uncertainty.signalToNoise.aboveTwoSe > ig.uncertainty.signalToNoise.chance!.aboveTwoSe + 0.2, 'well above chance');
  for (const [options, reason] of [
    [{ method: 'vargrad', gradient: 'lr' }, /VarGrad/],
    [{ method: 'rise' }, /RISE/],
    [{ method: 'vanilla', gradient: 'focused' }, /adapts/],
  ] as const) {
    const r = await explain(userFunction(model), x, { ...base, ...options });
    assert.equal(r.uncertainty, null, options.method);
    assert.match(r.uncertaintyReason ?? '', reason);
  }
});
