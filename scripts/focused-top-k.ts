/**
 * How good are the other classes of a focused top-k run? Focused adapts its directions to the first class; the
 * classes 2..K are solved on those directions (gradients/focus-sharing.ts). On dev photos (tune half), SqueezeNet,
 * vanilla, logit objective, this compares for classes 2..K, against the exact backprop gradient:
 *  - focused top-K (one budget for all K),
 *  - focused single-class runs of each class (one budget EACH),
 *  - blockwise top-K (one budget for all K; blockwise is not adaptive, so each map equals its single-class run),
 * by cosine of the estimated gradient to the exact one and Spearman ρ of the maps (abs-sum reduction).
 * Usage: node dist/scripts/focused-top-k.js [IMAGES_DIR] [IMAGES] [QUERIES] [K]   (markdown on stdout)
 */
import { cosine } from '../src/core/tensor.js';
import { explain } from '../src/explain/index.js';
import { selectHalf } from '../src/experiments/dev-split.js';
import { meanStd, readManifest } from '../src/experiments/manifest.js';
import { reduceChannels } from '../src/methods/channel-reduction.js';
import { spearman } from '../src/metrics/similarity.js';
import { loadClassifier } from '../src/models/classifier.js';
import { loadDifferentiableModel } from '../src/models/differentiable-onnx.js';

const [dir = '../shared/assets/images/dev', imagesArg = '4', queriesArg = '1000', kArg = '5'] = process.argv.slice(2);
const [queries, K] = [Number(queriesArg), Number(kArg)];
const classifier = await loadClassifier({ threads: 1 });
const differentiable = await loadDifferentiableModel(classifier.card.model);
const shape = classifier.model.inputShape;
const images = selectHalf(await readManifest(dir), 'tune', Number(imagesArg));

type Scores = { cos: number[]; rho: number[] };
const rows: Record<string, Scores> = { 'focused top-K, class 1': { cos: [], rho: [] } };
const kinds = ['focused top-K', 'focused single-class', 'blockwise top-K'];
for (const kind of kinds) rows[kind] = { cos: [], rho: [] };
const common = { method: 'vanilla', queries, seed: 0, reduction: 'abs-sum' } as const;

for (const image of images) {
  const started = performance.now();
  const top = await explain(classifier, image.path, { ...common, gradient: 'focused', topK: K });
  const blocks = await explain(classifier, image.path, { ...common, gradient: 'blockwise', topK: K });
  const { input: x } = await classifier.prepare(image.path);
  for (const [k, one] of top.classes!.entries()) {
    const index = one.target.index!;
    const exact = (await differentiable.gradient(x, index, 'logit')).gradient;
    const exactMap = reduceChannels(exact, shape, 'abs-sum');
    const score = (row: string, attribution: Float32Array, map: Float32Array) => {
      rows[row]!.cos.push(cosine(attribution, exact));
      rows[row]!.rho.push(spearman(map, exactMap));
    };
    if (k === 0) {
      score('focused top-K, class 1', one.attribution, one.map);
      continue;
    }
    score('focused top-K', one.attribution, one.map);
    const single = await explain(classifier, image.path, { ...common, gradient: 'focused', target: index });
    score('focused single-class', single.attribution, single.map);
    score('blockwise top-K', blocks.classes![k]!.attribution, blocks.classes![k]!.map);
  }
  console.error(`${image.file}: ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

const cell = (v: number[]) => {
  const { mean, std } = meanStd(v);
  return `${(100 * mean).toFixed(1)} ± ${(100 * std).toFixed(1)}`;
};
const rcell = (v: number[]) => {
  const { mean, std } = meanStd(v);
  return `${mean.toFixed(3)} ± ${std.toFixed(3)}`;
};
console.log(`${images.length} dev photos (tune half), SqueezeNet 1.1, vanilla, ${queries} queries per run, top-${K}; mean ± sd over images × classes.\n`);
console.log('| estimate | classes | queries for all K maps | cosine to exact ∇ (%) | Spearman ρ of the map |');
console.log('| --- | --- | --- | --- | --- |');
console.log(`| focused top-${K} | 1 | ${queries} | ${cell(rows['focused top-K, class 1']!.cos)} | ${rcell(rows['focused top-K, class 1']!.rho)} |`);
console.log(`| focused top-${K} (projection on class 1's directions) | 2..${K} | ${queries} | ${cell(rows['focused top-K']!.cos)} | ${rcell(rows['focused top-K']!.rho)} |`);
console.log(`| focused, one run per class | 2..${K} | ${queries * K} | ${cell(rows['focused single-class']!.cos)} | ${rcell(rows['focused single-class']!.rho)} |`);
console.log(`| blockwise top-${K} | 2..${K} | ${queries} | ${cell(rows['blockwise top-K']!.cos)} | ${rcell(rows['blockwise top-K']!.rho)} |`);
// Paired per class: the same image and class, top-K projection minus its own focused run.
const paired = (metric: 'cos' | 'rho', scale: number, digits: number) => {
  const a = rows['focused top-K']![metric];
  const b = rows['focused single-class']![metric];
  const diff = a.map((v, i) => v - b[i]!);
  const { mean, std } = meanStd(diff);
  const wins = diff.filter((v) => v > 0).length;
  return `${(scale * mean).toFixed(digits)} ± ${((scale * std) / Math.sqrt(diff.length)).toFixed(digits)} (top-K better in ${wins} of ${diff.length})`;
};
console.log(`\nPaired, top-${K} projection minus the class's own focused run (mean ± standard error): cosine ${paired('cos', 100, 1)} points; ρ ${paired('rho', 1, 3)}.`);
await classifier.dispose();
await differentiable.dispose();
