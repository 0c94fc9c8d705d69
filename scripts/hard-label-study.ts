/**
 * How many queries does a useful hard-label map need? Explains photos through a label-only view of the
 * bundled model (top-1 class name, no scores: what a label API gives) and compares each map with the
 * backprop-gradient map of the logit (Spearman rank correlation of the channel-summed |maps|).
 * Usage: node dist/scripts/hard-label-study.js [images...]   (default: examples/kitten_224.png examples/fish.png)
 */
import { join } from 'node:path';
import { loadDifferentiableModel } from '../src/backprop/index.js';
import { reduceChannels } from '../src/methods/channel-reduction.js';
import { spearman } from '../src/metrics/similarity.js';
import { loadClassifier } from '../src/models/classifier.js';
import { packageRoot } from '../src/models/config.js';
import { toModelInput } from '../src/models/preprocess.js';
import type { LabelModel } from '../src/models/remote/types.js';
import { topK } from '../src/objectives/scores.js';
import { explainRemote } from '../src/remote-explain.js';

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
  stats: () => ({ sent: 0, cacheHits: 0, cost: 0, retries: 0 }),
  async dispose() {},
};

const settings = [
  { gradient: 'lr', sigma: 16 },
  { gradient: 'lr', sigma: 32 },
  { gradient: 'lr', sigma: 48 },
  { gradient: 'blockwise', sigma: 48, block: 0.5 },
  { gradient: 'blockwise', sigma: 64, block: 0.25 },
] as const;
const rows: string[] = [];
for (const path of images) {
  const { input } = await classifier.prepare(path);
  const target = topK(await classifier.model.scores(input, 1), 1)[0]!;
  const truth = reduceChannels((await differentiable.gradient(input, target, 'logit')).gradient, shape, 'abs-sum');
  for (const s of settings) {
    for (const queries of [250, 1000, 4000]) {
      const r = await explainRemote(labelOnly, path, { target: classifier.labels[target]!.wnid!, method: 'vanilla', queries, seed: 1, ...s });
      const nonzero = r.map.some((v) => v !== 0);
      rows.push(`| ${path.split('/').pop()} | ${s.gradient} | ${'block' in s ? s.block : '–'} | ${s.sigma} | ${queries} | ${nonzero ? spearman(r.map, truth).toFixed(3) : 'no flips (map 0)'} |`);
      process.stderr.write(rows[rows.length - 1] + '\n');
    }
  }
}
process.stdout.write(['| image | gradient | block | σ (grey levels) | queries | Spearman vs backprop map |', '| --- | --- | --- | --- | --- | --- |', ...rows].join('\n') + '\n');
await differentiable.dispose();
await classifier.dispose();
