/**
 * The WebAssembly SIMD kernels against their plain-JS reference (src/core/kernels/reference.ts): equal
 * bit for bit, for every path (in-arena, staged through scratch, partial groups, regions, both signs).
 * Correctness only; speed is bench/hot-loop.ts's job.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accumulateRows, fillNormalLanes, kernelImplementation, KernelArena, perturbRows, STATE_WORDS } from '../src/core/kernels/index.js';
import { accumulateReference, fillNormalReference, perturbReference } from '../src/core/kernels/reference.js';
import { Rng } from '../src/core/rng.js';
import type { Shape } from '../src/core/tensor.js';
import { accumulateRegion, accumulateRegions, directionBuffers, expandTiles, fullRegion, writePerturbed, type Region } from '../src/gradients/regions.js';

function seedState(seed: number): Int32Array {
  const rng = new Rng(seed);
  return Int32Array.from({ length: STATE_WORDS }, () => rng.nextUint32() | 0);
}

function assertSameBits(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string): void {
  assert.equal(actual.length, expected.length, label);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) assert.fail(`${label}: index ${i}: ${actual[i]} ≠ ${expected[i]}`);
  }
}

test('the built WebAssembly kernels are the ones running (npm run build compiles wasm/*.wat)', () => {
  if (process.env.LRSAL_KERNELS === 'js') return;
  assert.equal(kernelImplementation(), 'wasm-simd');
});

test('normal fills equal the JS reference bit for bit: in kernel memory, staged, partial groups, any scale', () => {
  for (const [n, scale, seed] of [[1, 1, 1], [7, 0.05, 2], [8, 2, 3], [9, 1, 4], [1000, 0.3, 5], [16_385, 1, 6], [150_528, 0.05, 7], [400_000, 1e-3, 8]] as const) {
    const expectedState = seedState(seed);
    const expected = new Float32Array(n + 3);
    fillNormalReference(expectedState, expected, 3, n + 3, scale);
    const arena = new KernelArena(KernelArena.float32Bytes(n + 3));
    for (const [kind, out] of [['arena', arena.float32(n + 3)], ['plain', new Float32Array(n + 3)]] as const) {
      const state = seedState(seed);
      fillNormalLanes(state, out, 3, n + 3, scale);
      assertSameBits(out, expected, `fill of ${n} (${kind} array)`);
      assertSameBits(state, expectedState, `state after a fill of ${n}`);
    }
  }
});

test('enough draws to exercise every slow path (wedges, base strip, tail) still match', () => {
  const n = 3_000_000;
  const expected = new Float32Array(n);
  fillNormalReference(seedState(99), expected, 0, n, 1);
  const arena = new KernelArena(KernelArena.float32Bytes(n));
  const out = arena.float32(n);
  fillNormalLanes(seedState(99), out, 0, n, 1);
  assertSameBits(out, expected, 'large fill');
  assert.ok(expected.some((x) => Math.abs(x) > 4.3859450348713036), 'no tail draw in 3M');
});

const shape: Shape = { channels: 3, height: 37, width: 29 };
const d = shape.channels * shape.height * shape.width;
const regions: Region[] = [fullRegion(shape), { top: 3, left: 0, height: 11, width: 29 }, { top: 5, left: 7, height: 13, width: 9 }, { top: 36, left: 28, height: 1, width: 1 }];

test('perturbed writes and accumulation equal the JS reference bit for bit, for every region shape', () => {
  const x = Float32Array.from({ length: d }, (_, i) => Math.sin(i) * 3);
  const fast = directionBuffers(x, 2, d);
  const plainInputs = new Float32Array(2 * d);
  plainInputs.set(x);
  plainInputs.set(x, d);
  const plainAcc = new Float64Array(d);
  const rng = new Rng(5);
  for (const r of regions) {
    const size = shape.channels * r.height * r.width;
    const noise = new Float32Array(size);
    rng.fillNormal(noise, 0, size, 0.7);
    fast.noise[0]!.set(noise);
    for (const sign of [1, -1]) {
      writePerturbed(fast.inputs, d, fast.base, fast.noise[0]!, sign, shape, r);
      writePerturbed(plainInputs, d, x, noise, sign, shape, r);
      assertSameBits(fast.inputs, plainInputs, `perturb ${JSON.stringify(r)} sign ${sign}`);
      accumulateRegion(fast.acc, fast.noise[0]!, sign * 0.37, shape, r);
      accumulateRegion(plainAcc, noise, sign * 0.37, shape, r);
      assertSameBits(fast.acc, plainAcc, `accumulate ${JSON.stringify(r)} sign ${sign}`);
    }
  }
});

test('row kernels handle odd widths, tails shorter than a vector and strides', () => {
  const arena = new KernelArena(4 * KernelArena.float32Bytes(500) + KernelArena.float64Bytes(500));
  const out = arena.float32(500), base = arena.float32(500), noise = arena.float32(500);
  const acc = arena.float64(500);
  base.forEach((_, i) => (base[i] = i / 7));
  noise.forEach((_, i) => (noise[i] = Math.cos(i)));
  const refOut = new Float32Array(500), refAcc = new Float64Array(500);
  for (const [rows, w, stride] of [[1, 1, 0], [1, 3, 0], [3, 5, 17], [7, 13, 31], [2, 64, 65]] as const) {
    perturbRows(out, 2, base, 1, noise, 3, rows, w, stride, -1);
    perturbReference(refOut, 2, base, 1, noise, 3, rows, w, stride, -1);
    assertSameBits(out, refOut, `perturb rows ${rows}×${w}`);
    accumulateRows(acc, 5, noise, 1, 1.5, rows, w, stride);
    accumulateReference(refAcc, 5, noise, 1, 1.5, rows, w, stride);
    assertSameBits(acc, refAcc, `accumulate rows ${rows}×${w}`);
  }
});

test('accumulating several directions in one pass equals one at a time, bit for bit', () => {
  const s: Shape = { channels: 3, height: 9, width: 7 };
  const n = 3 * 9 * 7;
  const x = new Float32Array(n);
  const fast = directionBuffers(x, 5, n);
  const plain = new Float64Array(n);
  const rng = new Rng(12);
  const regions: Region[] = [fullRegion(s), fullRegion(s), { top: 1, left: 2, height: 3, width: 4 }, fullRegion(s), fullRegion(s)];
  const weights = [0.3, -1.7, 2.2, 1e-3, -0.5];
  for (const z of fast.noise) rng.fillNormal(z, 0, n, 1);
  fast.acc.fill(0.125);
  plain.fill(0.125);
  accumulateRegions(fast.acc, fast.noise, weights, s, regions);
  for (let k = 0; k < 5; k++) accumulateRegion(plain, Float32Array.from(fast.noise[k]!), weights[k]!, s, regions[k]!);
  assertSameBits(fast.acc, plain, 'accumulateRegions');
  // Plain arrays take the JS path, with the same result.
  const js = new Float64Array(n).fill(0.125);
  accumulateRegions(js, fast.noise.map((z) => Float32Array.from(z)), weights, s, regions);
  assertSameBits(js, plain, 'accumulateRegions (JS)');
});

test('released direction buffers are reused, with inputs reset to x and the accumulator zeroed', () => {
  const x = Float32Array.from({ length: d }, (_, i) => i / d);
  const first = directionBuffers(x, 3, 50);
  first.inputs.fill(7);
  first.acc.fill(7);
  first.release();
  const second = directionBuffers(x, 3, 50);
  const pooled = kernelImplementation() === 'wasm-simd'; // the JS fallback hands out plain arrays
  if (pooled) assert.equal(second.acc.buffer, first.acc.buffer, 'same kernel memory');
  assert.ok(second.acc.every((v) => v === 0));
  for (let s = 0; s < 3; s++) assertSameBits(second.inputs.subarray(s * d, (s + 1) * d), x, `slot ${s}`);
  assertSameBits(second.base, x, 'base');
  const third = directionBuffers(x, 3, 50); // second is still in use: a fresh arena
  if (pooled) assert.notEqual(third.acc.buffer, second.acc.buffer);
  second.release();
  third.release();
});

test('expandTiles equals the per-element expansion for every tile, region and channel sharing', () => {
  const C = 3;
  const H = 13, W = 11;
  const rng = new Rng(4);
  for (const tile of [1, 2, 3, 5]) {
    for (const shared of [false, true]) {
      for (const r of [{ top: 0, left: 0, height: H, width: W }, { top: 3, left: 4, height: 7, width: 6 }, { top: 5, left: 1, height: 1, width: 9 }, { top: 12, left: 10, height: 1, width: 1 }]) {
        const ty0 = Math.floor(r.top / tile), tx0 = Math.floor(r.left / tile);
        const th = Math.floor((r.top + r.height - 1) / tile) - ty0 + 1;
        const tw = Math.floor((r.left + r.width - 1) / tile) - tx0 + 1;
        const coeffs = new Float32Array((shared ? 1 : C) * th * tw);
        rng.fillNormal(coeffs, 0, coeffs.length, 1);
        const expected = new Float32Array(C * r.height * r.width);
        let k = 0;
        for (let c = 0; c < C; c++) {
          for (let y = r.top; y < r.top + r.height; y++) {
            const row = (shared ? 0 : c) * th * tw + (Math.floor(y / tile) - ty0) * tw;
            for (let x = r.left; x < r.left + r.width; x++) expected[k++] = coeffs[row + Math.floor(x / tile) - tx0]!;
          }
        }
        const out = new Float32Array(expected.length);
        expandTiles(out, coeffs, C, r, tile, shared);
        assertSameBits(out, expected, `tile ${tile} shared ${shared} region ${JSON.stringify(r)}`);
      }
    }
  }
});
