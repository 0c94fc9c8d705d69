import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BatchFunction } from '../src/core/batch-function.js';
import { auc, pixelCurve, saliencyOrder } from '../src/metrics/deletion-insertion.js';
import { isotropicBound, spearman } from '../src/metrics/similarity.js';

test('Spearman correlation: 1 for any increasing transform, −1 reversed, ties averaged', () => {
  const a = [3, 1, 4, 1.5, 9, 2.6];
  assert.ok(Math.abs(spearman(a, a.map((v) => Math.exp(v))) - 1) < 1e-12);
  assert.ok(Math.abs(spearman(a, a.map((v) => -v)) + 1) < 1e-12);
  assert.ok(Math.abs(spearman([1, 1, 2], [1, 2, 3]) - Math.sqrt(3) / 2) < 1e-12);
});

test('isotropic bound matches √(n/(n+d)) figures quoted for 3×224×224', () => {
  assert.ok(Math.abs(isotropicBound(2000, 150528) - 0.1146) < 1e-3);
  assert.ok(Math.abs(isotropicBound(5000, 150528) - 0.1793) < 1e-3);
});

test('trapezoid AUC is normalised to [0, 1]', () => {
  assert.equal(auc([1, 1, 1]), 1);
  assert.equal(auc([1, 0]), 0.5);
  assert.equal(auc([0, 0, 1]), 0.25);
});

test('deletion with a perfect map drops the score at once; a reversed map keeps it', async () => {
  // f = mean of the first 4 of 16 pixels; a map that ranks those first is perfect.
  const f: BatchFunction = {
    shape: { channels: 1, height: 4, width: 4 },
    async evaluate(inputs, count) {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = (inputs[i * 16]! + inputs[i * 16 + 1]! + inputs[i * 16 + 2]! + inputs[i * 16 + 3]!) / 4;
      return out;
    },
  };
  const x = new Float32Array(16).fill(1);
  const zeros = new Float32Array(16);
  const perfect = Float32Array.from({ length: 16 }, (_, i) => 16 - i);
  const reversed = perfect.map((v) => -v);
  const good = await pixelCurve(f, x, zeros, perfect);
  const bad = await pixelCurve(f, x, zeros, reversed);
  assert.deepEqual(good.values, [1, 0, 0, 0, 0]);
  assert.ok(good.auc < bad.auc);
  const insertion = await pixelCurve(f, zeros, x, perfect);
  assert.deepEqual(insertion.values, [0, 1, 1, 1, 1]);
  assert.deepEqual([...saliencyOrder(Float32Array.from([0.1, 0.5, 0.5, 0.2]))], [1, 2, 3, 0]);
});
