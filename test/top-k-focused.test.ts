/**
 * Focused top-k: the first class leads (its map is a single-class focused run, byte for byte), the others are
 * solved on exactly its directions (the projection of their gradient onto the directions focused on class 1).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { explain } from '../src/explain/index.js';
import { loadClassifier, type Classifier } from '../src/models/classifier.js';
import { randomVector } from './helpers/analytic.js';
import { countingClassifier } from './helpers/counting-classifier.js';
import { kitten } from './helpers/files.js';

let squeezenet: Classifier;
before(async () => {
  squeezenet = await loadClassifier();
});
after(async () => {
  await squeezenet.dispose();
});

for (const method of ['vanilla', 'ig'] as const) {
  test(`focused top-3 ${method} on SqueezeNet: one budget; class 1's map is byte-identical to its single-class focused run`, async () => {
    const options = { method, gradient: 'focused', queries: 61, steps: 3, seed: 5, batchSize: 6 } as const;
    const { classifier, asked } = countingClassifier(squeezenet);
    const all = await explain(classifier, kitten, { ...options, topK: 3 });
    assert.equal(asked(), 61, 'the model answered one budget of queries for three maps');
    assert.equal(all.classes?.length, 3);
    const single = await explain(squeezenet, kitten, { ...options, target: all.classes![0]!.target.index! });
    assert.deepEqual(Buffer.from(all.classes![0]!.map.buffer), Buffer.from(single.map.buffer));
    assert.equal(all.classes![0]!.directionsOf, undefined);
    for (const other of all.classes!.slice(1)) assert.deepEqual(other.directionsOf, all.classes![0]!.target, 'later classes say whose directions they were solved on');
    assert.notDeepEqual(all.classes![1]!.map, all.classes![0]!.map);
  });
}

test('focused top-k on linear classes: a follower is solved on the leader\'s directions, with its own estimate', async () => {
  const { height: H, width: W } = squeezenet.model.inputShape;
  const d = 3 * H * W;
  // Class 0 lives on the top-left quadrant, class 1 = 2 × class 0, class 2 lives on the bottom-right quadrant.
  const quadrant = (top: boolean, seed: number) => {
    const w = randomVector(d, seed);
    for (let c = 0; c < 3; c++) for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if ((y < H / 2 && x < W / 2) !== top) w[c * H * W + y * W + x] = 0;
    return w;
  };
  const [w, u] = [quadrant(true, 11), quadrant(false, 12)];
  const classes = squeezenet.model.classes;
  const { classifier } = countingClassifier(
    squeezenet,
    async (inputs, count) => {
      const out = new Float32Array(count * classes);
      for (let i = 0; i < count; i++) {
        let [a, b] = [10, -10];
        for (let j = 0; j < d; j++) {
          a += w[j]! * inputs[i * d + j]!;
          b += u[j]! * inputs[i * d + j]!;
        }
        out.set([a, 2 * a, b], i * classes);
      }
      return out;
    },
    'logits',
  );
  const options = { method: 'vanilla', gradient: 'focused', queries: 200, grid: 4, seed: 2, reduction: 'sum' } as const;
  const all = await explain(classifier, kitten, { ...options, targets: [0, 1, 2] });
  const [lead, twice, other] = all.classes!.map((c) => c.map);
  // Same directions, own estimate: y doubles exactly, so every Kaczmarz step doubles exactly.
  assert.deepEqual(twice, lead!.map((v) => 2 * v));
  const own = (await explain(classifier, kitten, { ...options, target: 2 })).map;
  assert.deepEqual(Buffer.from((await explain(classifier, kitten, { ...options, target: 0 })).map.buffer), Buffer.from(lead!.buffer));
  // Class 2's own focused run spends its focus on the bottom-right; following class 0, only the survey reaches it.
  const energy = (m: Float32Array) => m.reduce((s, v, p) => s + (Math.floor(p / W) >= H / 2 && p % W >= W / 2 ? v * v : 0), 0);
  assert.ok(energy(other!) > 0, 'the survey directions still measure the follower');
  assert.ok(energy(other!) < 0.2 * energy(own), `follower ${energy(other!)} vs own run ${energy(own)}`);
});
