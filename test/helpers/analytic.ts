/**
 * Analytic black boxes with known gradients, for tests: estimators must recover these gradients.
 */
import type { BatchFunction } from '../../src/core/batch-function.js';
import { Rng } from '../../src/core/rng.js';
import { sizeOf, type Shape } from '../../src/core/tensor.js';
import type { GradientSource } from '../../src/gradients/gradient-source.js';

export interface Analytic {
  f: BatchFunction;
  value(x: Float32Array): number;
  gradient(x: Float32Array): Float64Array;
  /** Queries answered so far. */
  calls: { queries: number; batches: number[] };
}

/** A BatchFunction from a per-input value function, counting the queries and batches it answers. */
export function batched(shape: Shape, value: (x: Float32Array) => number, calls: Analytic['calls']): BatchFunction {
  const d = sizeOf(shape);
  return {
    shape,
    async evaluate(inputs, count) {
      calls.queries += count;
      calls.batches.push(count);
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = value(inputs.subarray(i * d, (i + 1) * d));
      return out;
    },
  };
}

export function randomVector(d: number, seed: number, scale = 1): Float32Array {
  const v = new Float32Array(d);
  new Rng(seed).fillNormal(v, 0, d, scale);
  return v;
}

/** f(x) = w·x + c. */
export function linear(shape: Shape, seed = 1): Analytic {
  const w = randomVector(sizeOf(shape), seed);
  const calls = { queries: 0, batches: [] as number[] };
  const value = (x: Float32Array) => {
    let s = 0.5;
    for (let i = 0; i < x.length; i++) s += w[i]! * x[i]!;
    return s;
  };
  return { f: batched(shape, value, calls), value, gradient: () => Float64Array.from(w), calls };
}

/** f(x) = ½ Σ a_i x_i² + b·x, a_i in [−1, 1]: gradient a ⊙ x + b. */
export function quadratic(shape: Shape, seed = 2): Analytic {
  const d = sizeOf(shape);
  const a = randomVector(d, seed).map((v) => Math.tanh(v));
  const b = randomVector(d, seed + 1);
  const calls = { queries: 0, batches: [] as number[] };
  const value = (x: Float32Array) => {
    let s = 0;
    for (let i = 0; i < d; i++) s += 0.5 * a[i]! * x[i]! * x[i]! + b[i]! * x[i]!;
    return s;
  };
  const gradient = (x: Float32Array) => {
    const g = new Float64Array(d);
    for (let i = 0; i < d; i++) g[i] = a[i]! * x[i]! + b[i]!;
    return g;
  };
  return { f: batched(shape, value, calls), value, gradient, calls };
}

/** f(x) = log softmax(W x)_target with K classes. */
export function softmaxLinear(shape: Shape, classes = 5, target = 0, seed = 3): Analytic {
  const d = sizeOf(shape);
  const W = Array.from({ length: classes }, (_, k) => randomVector(d, seed + k, 1 / Math.sqrt(d)));
  const calls = { queries: 0, batches: [] as number[] };
  const logits = (x: Float32Array) => W.map((w) => w.reduce((s, wi, i) => s + wi * x[i]!, 0));
  const probs = (z: number[]) => {
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  };
  const value = (x: Float32Array) => Math.log(probs(logits(x))[target]!);
  const gradient = (x: Float32Array) => {
    const p = probs(logits(x));
    const g = new Float64Array(d);
    for (let k = 0; k < classes; k++) {
      const coef = (k === target ? 1 : 0) - p[k]!;
      for (let i = 0; i < d; i++) g[i]! += coef * W[k]![i]!;
    }
    return g;
  };
  return { f: batched(shape, value, calls), value, gradient, calls };
}

/** The exact gradient as a GradientSource that spends no queries (stands in for backprop in tests). */
export function exactSource(model: Analytic): GradientSource {
  return {
    name: 'exact',
    minQueries: 0,
    async estimate({ x }) {
      return { gradient: Float32Array.from(model.gradient(x)), queries: 0 };
    },
  };
}
