/**
 * How many queries does a useful hard-label map need? Explains photos through a label-only view of the
 * bundled model (top-1 class name, no scores: what a label API gives) and scores each map by deletion and
 * insertion AUC (class probability; RISE protocol) and by Spearman correlation with the backprop map, beside
 * two maps that know nothing of the model: a centre prior and a random map.
 * Usage: node dist/scripts/hard-label-study.js [images...]   (default: examples/kitten_224.png examples/fish.png)
 */
import { join } from 'node:path';
import { loadDifferentiableModel } from '../src/models/differentiable-onnx.js';
import { QueryLedger, metered } from '../src/core/ledger.js';
import { Rng } from '../src/core/rng.js';
import { blurImage } from '../src/io/image.js';
import { pixelCurve } from '../src/metrics/deletion-insertion.js';
import { reduceChannels } from '../src/methods/channel-reduction.js';
import { spearman } from '../src/metrics/similarity.js';
import { loadClassifier } from '../src/models/classifier.js';
import { packageRoot } from '../src/models/config.js';
import { toModelInput } from '../src/models/preprocess.js';
import type { LabelModel } from '../src/models/remote/types.js';
import { scoreFunction, topK } from '../src/objectives/scores.js';
import { explain } from '../src/explain/index.js';

const root = packageRoot();
const images = process.argv.slice(2).length ? process.argv.slice(2) : [join(root, 'examples', 'kitten_224.png'), join(root, 'examples', 'fish.png')];
const classifier = await loadClassifier();
const differentiable = await loadDifferentiableModel(classifier.card.model);
const shape = classifier.model.inputShape;

// Raw 0..255 RGB (what a remote API receives) → the model's preprocessing → top-1 label.
const labelOnly: LabelModel = {
  kind: 'labels',
  inputShape: shape,
  async labels(inputs, count) {
    const plane = shape.height * shape.width;
    const out = [];
    for (let i = 0; i < count; i++) {
      const rgb = new Float32Array(3 * plane);
      for (let c = 0; c < 3; c++) for (let p = 0; p < plane; p++) rgb[p * 3 + c] = Math.min(255, Math.max(0, Math.round(inputs[i * 3 * plane + c * plane + p]!)));
      const x = toModelInput(classifier.preprocessing, rgb, shape.height, shape.width);
      const top = topK(await classifier.model.scores(x, 1), 1)[0]!;
      out.push([{ label: classifier.labels[top]!.name }]);
    }
    return out;
  },
  stats: () => ({ sent: 0, cacheHits: 0, cost: 0, retries: 0, cacheErrors: 0, cacheWriteErrors: 0 }),
  async dispose() {},
};

const settings = [
  { gradient: 'lr', sigma: 32 },
  { gradient: 'blockwise', sigma: 48, block: 0.5 },
  { gradient: 'blockwise', sigma: 48, block: 0.25 },
] as const;
const rows: string[] = [];
const plane = shape.height * shape.width;
const centre = Float32Array.from({ length: plane }, (_, p) => -((Math.floor(p / shape.width) - shape.height / 2) ** 2 + ((p % shape.width) - shape.width / 2) ** 2));
const random = new Float32Array(plane);
new Rng(5).fillNormal(random, 0, plane, 1);
for (const path of images) {
  const { input, image } = await classifier.prepare(path);
  const target = topK(await classifier.model.scores(input, 1), 1)[0]!;
  const truth = reduceChannels((await differentiable.gradient(input, target, 'logit')).gradient, shape, 'abs-sum');
  const probability = metered(scoreFunction(classifier.model, 'probability', target), new QueryLedger(Number.MAX_SAFE_INTEGER));
  const blurred = await blurImage(image, Math.max(image.width, image.height) / 20);
  const blurredInput = toModelInput(classifier.preprocessing, blurred.data, blurred.height, blurred.width);
  const row = async (what: string, queries: number | string, map: Float32Array) => {
    const del = (await pixelCurve(probability, input, new Float32Array(input.length), map)).auc;
    const ins = (await pixelCurve(probability, blurredInput, input, map)).auc;
    const rho = map.some((v) => v !== 0) ? spearman(map, truth).toFixed(3) : 'map 0 (no flips)';
    rows.push(`| ${path.split('/').pop()} | ${what} | ${queries} | ${del.toFixed(3)} | ${ins.toFixed(3)} | ${rho} |`);
    process.stderr.write(rows[rows.length - 1] + '\n');
  };
  await row('centre prior (no model)', 0, centre);
  await row('random map (no model)', 0, random);
  await row('backprop gradient (white box)', 0, truth);
  for (const s of settings) {
    for (const queries of [250, 1000]) {
      const r = await explain(labelOnly, path, { target: classifier.labels[target]!.wnid!, method: 'vanilla', queries, seed: 1, ...s });
      await row(`hard label, ${s.gradient}${'block' in s ? ` ${s.block}` : ''}, σ ${s.sigma}`, queries, r.map);
    }
  }
}
process.stdout.write(['| image | map | queries | deletion ↓ | insertion ↑ | Spearman vs backprop |', '| --- | --- | --- | --- | --- | --- |', ...rows].join('\n') + '\n');
await differentiable.dispose();
await classifier.dispose();
