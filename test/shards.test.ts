import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng, deriveRng } from '../src/core/rng.js';
import { sizeOf, type Shape } from '../src/core/tensor.js';
import { blockwise } from '../src/gradients/blockwise.js';
import { CHUNK_DIRECTIONS } from '../src/gradients/chunks.js';
import { likelihoodRatio } from '../src/gradients/likelihood-ratio.js';
import { MergeLedger, PlanLedger, ShardRunLedger, splitPlan, type ChunkSum } from '../src/gradients/shard-ledger.js';
import type { AttributionMethod } from '../src/methods/attribution.js';
import { integratedGradients } from '../src/methods/integrated-gradients.js';
import { noiseTunnel } from '../src/methods/noise-tunnel.js';
import { rise } from '../src/methods/rise.js';
import { vanillaGradient } from '../src/methods/vanilla.js';
import { quadratic, randomVector, softmaxLinear } from './helpers/analytic.js';

const shape: Shape = { channels: 3, height: 8, width: 8 };
const d = sizeOf(shape);
const bytes = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

const cases: Array<[string, () => AttributionMethod, number]> = [
  ['vanilla lr', () => vanillaGradient(likelihoodRatio(shape, { sigma: 0.01, batchSize: 5 })), 300],
  ['vanilla blockwise (antithetic, odd budget)', () => vanillaGradient(blockwise(shape, { sigma: 0.01, antithetic: true, batchSize: 6 })), 301],
  ['IG over lr', () => integratedGradients(likelihoodRatio(shape, { sigma: 0.01, batchSize: 7 }), { steps: 3 }), 450],
  ['SmoothGrad over blockwise', () => noiseTunnel(blockwise(shape, { sigma: 0.01, batchSize: 8 }), 'smoothgrad', { samples: 2 }), 400],
  ['VarGrad over lr', () => noiseTunnel(likelihoodRatio(shape, { sigma: 0.01 }), 'vargrad', { samples: 2 }), 300],
  ['RISE', () => rise({ cells: 3, batchSize: 3 }), 200],
];

/** Plan, shards of `chunksPerShard` chunks run in reverse order (they may finish in any order), merge. */
async function sharded(make: () => AttributionMethod, f: ReturnType<typeof softmaxLinear>['f'], x: Float32Array, queries: number, chunksPerShard: number) {
  let spent = 0;
  const counting = { shape: f.shape, evaluate: async (inputs: Float32Array, n: number, signal?: AbortSignal) => ((spent += n), f.evaluate(inputs, n, signal)) };
  const plan = new PlanLedger();
  await make().attribute({ f: counting, x, queries, rng: new Rng(7), chunks: plan });
  const ranges = splitPlan(plan.result, chunksPerShard);
  const sums: ChunkSum[] = [];
  for (const range of ranges.reverse()) {
    const ledger = new ShardRunLedger(plan.result, range);
    await make().attribute({ f: counting, x, queries, rng: new Rng(7), chunks: ledger });
    sums.push(...ledger.sums);
  }
  const before = spent;
  const merged = await make().attribute({ f: counting, x, queries, rng: new Rng(7), chunks: new MergeLedger(plan.result, sums) });
  assert.equal(spent, before, 'the merge run queries nothing');
  return { merged, spent, shards: ranges.length };
}

for (const [name, make, queries] of cases) {
  test(`${name}: shards merged at chunk boundaries give the single run's bytes and spend its queries`, async () => {
    const model = softmaxLinear(shape);
    const x = randomVector(d, 3);
    const single = await make().attribute({ f: model.f, x, queries, rng: new Rng(7) });
    const callsSingle = model.calls.queries;
    for (const chunksPerShard of [1, 2, 100]) {
      const { merged, spent, shards } = await sharded(make, model.f, x, queries, chunksPerShard);
      assert.ok(chunksPerShard > 1 || shards > 2, `${shards} shards`);
      assert.deepEqual(bytes(merged.values), bytes(single.values), `${shards} shards`);
      assert.equal(merged.queries, single.queries);
      assert.equal(spent, callsSingle, 'shards spend exactly the single run’s queries');
    }
  });
}

test('a merge with a missing chunk is a clear error, not a silently smaller sum', async () => {
  const model = quadratic(shape);
  const x = randomVector(d, 1);
  const make = () => vanillaGradient(likelihoodRatio(shape, { sigma: 0.01 }));
  const plan = new PlanLedger();
  await make().attribute({ f: model.f, x, queries: 3 * CHUNK_DIRECTIONS, rng: new Rng(1), chunks: plan });
  const [first] = splitPlan(plan.result, 1);
  const ledger = new ShardRunLedger(plan.result, first!);
  await make().attribute({ f: model.f, x, queries: 3 * CHUNK_DIRECTIONS, rng: new Rng(1), chunks: ledger });
  await assert.rejects(make().attribute({ f: model.f, x, queries: 3 * CHUNK_DIRECTIONS, rng: new Rng(1), chunks: new MergeLedger(plan.result, ledger.sums) }), /chunk 1 of estimate 0 was never computed/);
});

test('derived streams: pure, keyed, and leave the parent untouched', () => {
  const parent = new Rng(5);
  const a = parent.derive([1, 2]).nextUint32();
  assert.equal(parent.derive([1, 2]).nextUint32(), a);
  assert.notEqual(parent.derive([2, 1]).nextUint32(), a);
  assert.notEqual(parent.derive([1, 3]).nextUint32(), a);
  assert.equal(parent.nextUint32(), new Rng(5).nextUint32(), 'derive() does not advance the parent');
  assert.equal(deriveRng(5, 1, 2).nextUint32(), a);
  assert.throws(() => parent.derive([-1]), /keys must be integers/);
});
