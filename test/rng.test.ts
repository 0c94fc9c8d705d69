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

test('fillNormal matches nextNormal draw for draw', () => {
  const a = new Rng(7);
  const b = new Rng(7);
  const buf = new Float32Array(10_000);
  a.fillNormal(buf, 0, buf.length, 2);
  for (let i = 0; i < buf.length; i++) assert.equal(buf[i], Math.fround(b.nextNormal() * 2));
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

test('normals have mean 0, variance 1, kurtosis 3 and a normal CDF (Kolmogorov–Smirnov)', () => {
  const rng = new Rng(3);
  const n = 200_000;
  const xs = new Float32Array(n);
  rng.fillNormal(xs, 0, n, 1);
  let m1 = 0, m2 = 0, m4 = 0;
  for (const x of xs) {
    m1 += x;
    m2 += x * x;
    m4 += x ** 4;
  }
  m1 /= n;
  m2 /= n;
  m4 /= n;
  assert.ok(Math.abs(m1) < 0.01, `mean ${m1}`);
  assert.ok(Math.abs(m2 - 1) < 0.015, `variance ${m2}`);
  assert.ok(Math.abs(m4 - 3) < 0.1, `fourth moment ${m4}`);
  const sorted = Float64Array.from(xs).sort();
  let ks = 0;
  for (let i = 0; i < n; i += 7) ks = Math.max(ks, Math.abs(normalCdf(sorted[i]!) - (i + 0.5) / n));
  // 99.9 % critical value 1.95/√n.
  assert.ok(ks < 1.95 / Math.sqrt(n), `KS distance ${ks}`);
  // The tail beyond 3.44 (the ziggurat's base strip) is sampled too.
  assert.ok(sorted[0]! < -3.6 && sorted[n - 1]! > 3.6);
});

function normalCdf(x: number): number {
  // Abramowitz–Stegun 7.1.26 erf, |error| < 1.5e-7.
  const t = 1 / (1 + 0.3275911 * Math.abs(x / Math.SQRT2));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-(x * x) / 2);
  return 0.5 * (1 + Math.sign(x) * y);
}
