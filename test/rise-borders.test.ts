/**
 * RISE masks cover the borders like the centre (the counterpart of blockwise's "every pixel has the same
 * probability of being inside a block"): every pixel's mask value has the same mean AND the same second moment.
 * The second moment matters: for a model that responds to one pixel q alone, RISE's map at q is E[M_q²]/p, so a
 * pixel where masks are more often pure 0/1 (less interpolated) would look more salient at the same importance.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../src/core/rng.js';
import { riseMasks, rise } from '../src/methods/rise.js';
import type { BatchFunction } from '../src/core/batch-function.js';

for (const [height, width, cells, keep] of [[40, 40, 7, 0.5], [30, 52, 5, 0.3], [64, 96, 7, 0.5]] as const) {
  test(`RISE masks on ${height}×${width}, ${cells} cells, keep ${keep}: corners and edges get the mean and second moment of the centre`, () => {
    const shape = { channels: 3, height, width };
    const plane = height * width;
    const sampler = riseMasks(shape, cells, keep);
    const rng = new Rng(4);
    const mask = new Float32Array(plane);
    const [m1, m2] = [new Float64Array(plane), new Float64Array(plane)];
    const n = 20_000;
    for (let k = 0; k < n; k++) {
      sampler.draw(mask, rng);
      for (let p = 0; p < plane; p++) {
        m1[p]! += mask[p]!;
        m2[p]! += mask[p]! * mask[p]!;
      }
    }
    // Pixels: 4 corners, the middle of each edge, the centre; compared with the centre region's average.
    const [H, W] = [height, width];
    const probes: Record<string, number> = { 'top-left': 0, 'top-right': W - 1, 'bottom-left': (H - 1) * W, 'bottom-right': H * W - 1, top: W >> 1, bottom: (H - 1) * W + (W >> 1), left: (H >> 1) * W, right: (H >> 1) * W + W - 1 };
    let [c1, c2, count] = [0, 0, 0];
    for (let y = Math.floor(H / 3); y < Math.ceil((2 * H) / 3); y++)
      for (let x = Math.floor(W / 3); x < Math.ceil((2 * W) / 3); x++) {
        c1 += m1[y * W + x]! / n;
        c2 += m2[y * W + x]! / n;
        count++;
      }
    [c1, c2] = [c1 / count, c2 / count];
    assert.ok(Math.abs(c1 - keep) < 0.01, `centre mean ${c1} vs keep ${keep}`);
    for (const [name, p] of Object.entries(probes)) {
      // Standard error of one pixel's mean over n masks is ≤ 0.5/√n ≈ 0.0035.
      assert.ok(Math.abs(m1[p]! / n - c1) < 0.015, `${name}: mean ${m1[p]! / n} vs centre ${c1}`);
      assert.ok(Math.abs(m2[p]! / n - c2) < 0.015, `${name}: second moment ${m2[p]! / n} vs centre ${c2}`);
    }
  });
}

test('RISE of a model that weighs every pixel alike is flat at the borders too; same seed, same map', async () => {
  const shape = { channels: 1, height: 24, width: 36 };
  const plane = shape.height * shape.width;
  // f = mean of the masked input with x = 1, fill 0: mean mask value. Its RISE map is E[f·M_p]/p, which should
  // not depend on where p is, up to the covariance of nearby mask values (smaller where p has fewer neighbours).
  const f: BatchFunction = {
    shape,
    async evaluate(inputs, count) {
      return Float64Array.from({ length: count }, (_, i) => inputs.subarray(i * plane, (i + 1) * plane).reduce((s, v) => s + v, 0) / plane);
    },
  };
  const x = new Float32Array(plane).fill(1);
  const method = rise({ cells: 4 });
  const run = (seed: number, batchSize: number) => rise({ cells: 4, batchSize }).attribute({ f, x, queries: 3000, rng: new Rng(seed) });
  const a = await method.attribute({ f, x, queries: 3000, rng: new Rng(1) });
  assert.deepEqual((await run(1, 5)).values, a.values, 'deterministic per seed, whatever the batch size');
  assert.notDeepEqual((await run(2, 8)).values, a.values);
  const mean = a.values.reduce((s, v) => s + v, 0) / plane;
  for (const p of [0, shape.width - 1, plane - shape.width, plane - 1]) assert.ok(a.values[p]! < 1.25 * mean && a.values[p]! > 0.75 * mean, `corner ${a.values[p]} vs mean ${mean}`);
});
