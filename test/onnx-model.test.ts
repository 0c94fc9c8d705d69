import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { explain } from '../src/explain/index.js';
import { BLACK_BOX_GRADIENTS } from '../src/gradients/registry.js';
import { METHODS } from '../src/methods/registry.js';
import { loadClassifier, type Classifier } from '../src/models/classifier.js';
import { topK } from '../src/objectives/scores.js';
import { devImages, kitten, missingShared, repoRoot, sharedAssets } from './helpers/files.js';

// Dev photos (ImageNet, evaluation only — never committed); true classes from the folder's manifest.
const mobilenetV2 = join(sharedAssets, 'models', 'mobilenet-v2-1.0-224-dequant-fp32.onnx');
const noPhotos = missingShared(join(devImages, 'manifest.json'));
const names = ['bulbul', 'great_grey_owl', 'tailed_frog', 'terrapin', 'sidewinder', 'black_and_gold_garden_spider'];
const photos = noPhotos
  ? []
  : names.map((n) => {
      const manifest: Array<{ file: string; index: number }> = JSON.parse(readFileSync(join(devImages, 'manifest.json'), 'utf8'));
      const entry = manifest.find((m) => m.file.endsWith(`_${n}.jpg`));
      assert.ok(entry, `dev photo ${n} missing`);
      return [entry.file, entry.index] as const;
    });

let squeezenet: Classifier;
before(async () => {
  squeezenet = await loadClassifier();
});
after(async () => {
  await squeezenet.dispose();
});

async function top1(c: Classifier, file: string): Promise<number> {
  const { input } = await c.prepare(file);
  return topK(await c.model.scores(input, 1), 1)[0]!;
}

test('the bundled SqueezeNet predicts the right class on the bundled kitten', async () => {
  assert.equal(await top1(squeezenet, kitten), 281);
});

test('the bundled SqueezeNet predicts the right class on dev photos', { skip: noPhotos }, async () => {
  for (const [file, index] of photos) assert.equal(await top1(squeezenet, join(devImages, file)), index, file);
  assert.equal(await top1(squeezenet, kitten), 281);
});

test('any ONNX: MobileNet v2 (RGB, ±1 scaling) works with preprocessing given as configuration', { skip: noPhotos || missingShared(mobilenetV2) }, async () => {
  const mobilenet = await loadClassifier({
    model: mobilenetV2,
    labels: join(repoRoot, 'models', 'imagenet-classes.json'),
    preprocess: { preset: 'inception' },
  });
  try {
    assert.equal(mobilenet.model.scoreKind, 'logits');
    for (const [file, index] of photos) assert.equal(await top1(mobilenet, join(devImages, file)), index, file);
  } finally {
    await mobilenet.dispose();
  }
});

test('every method × gradient source explains a photo on the bundled model within its exact budget', async () => {
  for (const method of METHODS) {
    for (const gradient of BLACK_BOX_GRADIENTS) {
      if (method === 'rise' && gradient !== 'lr') continue; // RISE needs no gradient source
      const result = await explain(squeezenet, kitten, { method, gradient, queries: 41, steps: 4, samples: 4, seed: 1 });
      assert.equal(result.queries, 41, `${method}/${gradient}`);
      assert.equal(result.target.index, 281);
      assert.equal(result.map.length, 224 * 224);
      assert.ok(result.map.every(Number.isFinite) && result.map.some((v) => v !== 0), `${method}/${gradient} map`);
    }
  }
});

test('the same seed gives the same map on the real model, whatever the batch size', async () => {
  const run = (seed: number, batchSize: number) => explain(squeezenet, kitten, { method: 'vanilla', gradient: 'lr', queries: 33, seed, batchSize });
  const a = await run(5, 4);
  assert.deepEqual((await run(5, 4)).map, a.map);
  assert.deepEqual((await run(5, 16)).map, a.map);
  assert.notDeepEqual((await run(6, 4)).map, a.map);
});
