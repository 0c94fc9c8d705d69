import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../src/core/rng.js';

test('same seed gives the same stream; different seeds differ', () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const c = new Rng(43);
  const sa = Array.from({ length: 100 }, () => a.nextUint32());
  const sb = Array.from({ length: 100 }, () => b.nextUint32());
  const sc = Array.from({ length: 100 }, () => c.nextUint32());
  assert.deepEqual(sa, sb);
  assert.notDeepEqual(sa, sc);
});

test('fillNormal is a pure function of the stream: same seed, same values at any offset, 36 words consumed', () => {
  const a = new Rng(7);
  const b = new Rng(7);
  const buf = new Float32Array(10_000);
  const shifted = new Float32Array(10_013);
  a.fillNormal(buf, 0, buf.length, 2);
  b.fillNormal(shifted, 13, shifted.length, 2);
  assert.deepEqual(shifted.subarray(13), buf);
  assert.equal(shifted[0], 0);
  // Both consumed the same 36 words of the scalar stream, whatever the fill length.
  const c = new Rng(7);
  c.fillNormal(new Float32Array(3), 0, 3, 1);
  for (let i = 0; i < 4; i++) assert.equal(a.nextUint32(), c.nextUint32());
  a.fillNormal(buf, 0, 0, 1); // empty fills draw nothing
  for (let i = 0; i < 4; i++) assert.equal(a.nextUint32(), c.nextUint32());
});

test('uniform words are uniform (chi-square over 64 bins)', () => {
  const rng = new Rng(1);
  const bins = new Array(64).fill(0);
  const n = 640_000;
  for (let i = 0; i < n; i++) bins[rng.nextUint32() >>> 26]++;
  const expected = n / 64;
  const chi2 = bins.reduce((s, o) => s + (o - expected) ** 2 / expected, 0);
  // 63 degrees of freedom: the 99.9 % quantile is about 103.4.
  assert.ok(chi2 < 103.4, `chi-square ${chi2}`);
});

test('nextInt covers [0, n) evenly', () => {
  const rng = new Rng(5);
  const counts = new Array(7).fill(0);
  for (let i = 0; i < 70_000; i++) counts[rng.nextInt(7)]++;
  for (const c of counts) assert.ok(Math.abs(c - 10_000) < 500, `count ${c}`);
  assert.throws(() => rng.nextInt(0), RangeError);
});

function checkNormal(label: string, xs: Float32Array): void {
  const n = xs.length;
  let m1 = 0, m2 = 0, m4 = 0;
  for (const x of xs) {
    m1 += x;
    m2 += x * x;
    m4 += x ** 4;
  }
  m1 /= n;
  m2 /= n;
  m4 /= n;
  assert.ok(Math.abs(m1) < 0.01, `${label}: mean ${m1}`);
  assert.ok(Math.abs(m2 - 1) < 0.015, `${label}: variance ${m2}`);
  assert.ok(Math.abs(m4 - 3) < 0.1, `${label}: fourth moment ${m4}`);
  const sorted = Float64Array.from(xs).sort();
  let ks = 0;
  for (let i = 0; i < n; i += 7) ks = Math.max(ks, Math.abs(normalCdf(sorted[i]!) - (i + 0.5) / n));
  // 99.9 % critical value 1.95/√n.
  assert.ok(ks < 1.95 / Math.sqrt(n), `${label}: KS distance ${ks}`);
  assert.ok(sorted[0]! < -3.6 && sorted[n - 1]! > 3.6, `${label}: range ${sorted[0]} … ${sorted[n - 1]}`);
}

test('normals have mean 0, variance 1, kurtosis 3 and a normal CDF (Kolmogorov–Smirnov)', () => {
  const n = 200_000;
  const bulk = new Float32Array(n);
  new Rng(3).fillNormal(bulk, 0, n, 1);
  checkNormal('fillNormal', bulk);
  const scalar = new Rng(4);
  checkNormal('nextNormal', Float32Array.from({ length: n }, () => scalar.nextNormal()));
});

test('fillNormal: chi-square over 50 equiprobable bins, the tail beyond the ziggurat base and no lag correlation', () => {
  const n = 4_000_000;
  const xs = new Float32Array(n);
  const rng = new Rng(21);
  for (let at = 0; at < n; at += 150_528) rng.fillNormal(xs, at, Math.min(n, at + 150_528), 1);
  const bins = new Array(50).fill(0);
  let beyond = 0;
  for (const x of xs) {
    bins[Math.min(49, Math.floor(normalCdf(x) * 50))]++;
    if (Math.abs(x) > 4.3859450348713036) beyond++;
  }
  const expected = n / 50;
  const chi2 = bins.reduce((s, o) => s + (o - expected) ** 2 / expected, 0);
  // 49 degrees of freedom: the 99.9 % quantile is about 85.4.
  assert.ok(chi2 < 85.4, `chi-square ${chi2}`);
  // P(|z| > R) = 1.1536e-5: about 46 of 4M; Poisson 99.9 % range roughly 26–69.
  assert.ok(beyond >= 26 && beyond <= 69, `${beyond} draws beyond R`);
  // Lanes are independent streams: consecutive values (lags 1–9 cover lane neighbours) are uncorrelated.
  for (let lag = 1; lag <= 9; lag++) {
    let c = 0;
    for (let i = lag; i < n; i++) c += xs[i]! * xs[i - lag]!;
    assert.ok(Math.abs(c / n) < 3.3 / Math.sqrt(n), `lag ${lag} correlation ${c / n}`);
  }
});

function normalCdf(x: number): number {
  // Abramowitz–Stegun 7.1.26 erf, |error| < 1.5e-7.
  const t = 1 / (1 + 0.3275911 * Math.abs(x / Math.SQRT2));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-(x * x) / 2);
  return 0.5 * (1 + Math.sign(x) * y);
}
