/**
 * One conformance suite that every gradient source passes (tfjs-core's pattern): the black-box estimators,
 * backprop (through the DifferentiableModel interface) and a user-supplied source. Each must give a gradient of
 * the input's shape, spend exactly its budget, give identical bits for a seed whatever the batch size, stop when
 * aborted, and never turn a non-finite answer of f into a map.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BatchFunction } from '../src/core/batch-function.js';
import { LrsalError } from '../src/core/errors.js';
import { metered, QueryLedger } from '../src/core/ledger.js';
import { Rng } from '../src/core/rng.js';
import { cosine, sizeOf, type Shape } from '../src/core/tensor.js';
import { backpropSource } from '../src/gradients/backprop.js';
import type { GradientSource } from '../src/gradients/gradient-source.js';
import { createGradientSource } from '../src/gradients/registry.js';
import type { DifferentiableModel } from '../src/models/differentiable.js';
import { linear, randomVector } from './helpers/analytic.js';

const shape: Shape = { channels: 3, height: 8, width: 8 };
const d = sizeOf(shape);
const x = randomVector(d, 11);

/** A user's own source: central finite differences along random coordinates (2 queries each). */
function finiteDifferences(step = 1e-2): GradientSource {
  return {
    name: 'finite-differences',
    minQueries: 2,
    async estimate({ f, x, queries, rng, signal }) {
      const g = new Float32Array(x.length);
      const pairs = Math.floor(queries / 2);
      const probes = new Float32Array(2 * x.length);
      for (let k = 0; k < pairs; k++) {
        const i = rng.nextInt(x.length);
        probes.set(x);
        probes.set(x, x.length);
        probes[i]! += step;
        probes[x.length + i]! -= step;
        const [up, down] = await f.evaluate(probes, 2, signal);
        g[i] = (up! - down!) / (2 * step);
      }
      return { gradient: g, queries: 2 * pairs };
    },
  };
}

/** The analytic model's exact gradient behind the DifferentiableModel interface (what backprop runs on). */
function analyticDifferentiable(): DifferentiableModel {
  const model = linear(shape);
  return {
    inputShape: [shape.channels, shape.height, shape.width],
    classCount: 1,
    logitsName: 'analytic',
    async gradient(input) {
      return { value: model.value(input), gradient: Float32Array.from(model.gradient(input)), logits: Float32Array.of(model.value(input)) };
    },
    async dispose() {},
  };
}

interface Case {
  name: string;
  make(batchSize: number): GradientSource;
  /** Black-box sources spend exactly their budget; backprop spends none. */
  exact: boolean;
  batched: boolean;
}

const cases: Case[] = [
  { name: 'lr', make: (batchSize) => createGradientSource('lr', shape, { sigma: 0.01, batchSize }), exact: true, batched: true },
  { name: 'blockwise', make: (batchSize) => createGradientSource('blockwise', shape, { sigma: 0.01, batchSize }), exact: true, batched: true },
  { name: 'focused', make: (batchSize) => createGradientSource('focused', shape, { sigma: 0.01, batchSize, grid: 4 }), exact: true, batched: true },
  { name: 'backprop', make: () => backpropSource(analyticDifferentiable(), 0, 'logit'), exact: false, batched: false },
  { name: 'user-supplied', make: () => finiteDifferences(), exact: true, batched: false },
];

function run(source: GradientSource, f: BatchFunction, queries: number, seed: number, signal?: AbortSignal) {
  const ledger = new QueryLedger(queries);
  const g = source.estimate({ f: metered(f, ledger), x, queries, rng: new Rng(seed), ...(signal ? { signal } : {}) });
  return { ledger, g };
}

for (const c of cases) {
  describe(`gradient source conformance: ${c.name}`, () => {
    it('returns a finite gradient of the input shape that points the right way', async () => {
      const model = linear(shape);
      const { g } = run(c.make(8), model.f, 400, 1);
      const { gradient } = await g;
      assert.equal(gradient.length, d);
      assert.ok(gradient.every(Number.isFinite));
      assert.ok(cosine(gradient, Float32Array.from(model.gradient(x))) > 0.1, 'correlated with the true gradient');
    });

    it(c.exact ? 'spends exactly its budget, counted by the ledger' : 'spends no black-box queries', async () => {
      const model = linear(shape);
      const { ledger, g } = run(c.make(8), model.f, 123, 2);
      const { queries } = await g;
      const expected = c.exact ? (c.name === 'user-supplied' ? 122 : 123) : 0;
      assert.equal(queries, expected);
      assert.equal(ledger.spent, expected);
      assert.equal(model.calls.queries, expected);
    });

    it('gives identical bits for a seed whatever the batch size', async () => {
      const a = await run(c.make(1), linear(shape).f, 97, 3).g;
      const b = await run(c.make(16), linear(shape).f, 97, 3).g;
      assert.deepEqual(Buffer.from(a.gradient.buffer), Buffer.from(b.gradient.buffer));
      if (c.batched || c.name === 'user-supplied') {
        const other = await run(c.make(16), linear(shape).f, 97, 4).g;
        assert.notDeepEqual(other.gradient, a.gradient, 'another seed gives another estimate');
      }
    });

    it('stops when aborted', { skip: !c.exact && 'spends no queries, so nothing to abort' }, async () => {
      const controller = new AbortController();
      const model = linear(shape);
      let seen = 0;
      const f: BatchFunction = {
        shape,
        async evaluate(inputs, count, signal) {
          seen += count;
          if (seen > 20) controller.abort();
          if (signal?.aborted) throw new LrsalError('ABORTED', 'aborted');
          return model.f.evaluate(inputs, count);
        },
      };
      await assert.rejects(run(c.make(4), f, 400, 5, controller.signal).g, (e: unknown) => e instanceof LrsalError && e.code === 'ABORTED');
      assert.ok(seen < 400, 'stopped early');
    });

    it('never turns a non-finite answer of f into a map', { skip: !c.exact && 'asks f nothing' }, async () => {
      const model = linear(shape);
      const f: BatchFunction = {
        shape,
        async evaluate(inputs, count) {
          const values = await model.f.evaluate(inputs, count);
          values[count - 1] = NaN;
          return values;
        },
      };
      await assert.rejects(run(c.make(4), f, 60, 6).g, (e: unknown) => e instanceof LrsalError && e.code === 'MODEL_OUTPUT' && /query \d+/.test(e.message));
    });
  });
}
