/**
 * Sanity checks for saliency maps (Adebayo et al. 2018) on one image, for each method × gradient source:
 * - cascading model-parameter randomisation: maps from the model with its top k layers re-drawn at random,
 *   compared with the intact model's map by Spearman rank correlation, k from the top layer to all of them;
 * - random logit: the map of a random other class against the map of the predicted one;
 * - repeat: the same map with another seed, the intact model — how alike a map is to itself at this budget,
 *   the yardstick for the two others.
 * Every compared map uses the repeat's seed, so the estimator's noise is independent of the reference map's
 * (with the same seed, shared noise directions alone would make an LR map look unchanged) and ρ can be read
 * against the repeat. A map is flagged when, after every layer is randomised or for a random class, it keeps
 * at least `threshold` of the repeat's ρ; when the repeat's ρ is below INFORMATIVE_REPEAT the map is mostly
 * estimation noise at this budget and the verdict is "inconclusive".
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { differentiableModelFromBytes, type DifferentiableModel } from '../models/differentiable-onnx.js';
import { LrsalError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { explain, type ExplainOptions, type GradientName } from '../explain/index.js';
import type { MethodName } from '../methods/registry.js';
import type { Classifier } from '../models/classifier.js';
import { loadOnnxModel } from '../models/onnx.js';
import { spearman } from '../metrics/similarity.js';
import { probabilities, topK } from '../objectives/scores.js';
import { cascadeDepths, parameterLayers, randomiseTopLayers, readOnnx, writeOnnx } from './randomise-layers.js';

export interface SanityConfig {
  methods: MethodName[];
  gradients: GradientName[];
  queries: number;
  seed: number;
  /** Cascade depths tested, from the top layer to all layers (default 4). */
  cascadePoints?: number;
  /** Share of the repeat's ρ at or above which a map counts as unchanged (default 0.5). */
  threshold?: number;
  /** Further explain options (σ, block, reduction …) shared by every map. */
  explain?: Omit<ExplainOptions, 'method' | 'gradient' | 'queries' | 'seed' | 'target' | 'differentiable'>;
  onStep?: (done: number, total: number) => void;
}

export const SANITY_DEFAULTS = { cascadePoints: 4, threshold: 0.5 };

/** Below this repeat ρ a map is mostly noise: the checks cannot tell a change of model from a change of seed. */
export const INFORMATIVE_REPEAT = 0.2;

export interface CascadeStep {
  /** Layers randomised, from the top. */
  layers: number;
  /** The lowest layer randomised at this depth. */
  down: string;
  spearman: number;
}

export interface SanityRow {
  method: MethodName;
  gradient: GradientName | 'none';
  repeat: number;
  randomLogit: number;
  cascade: CascadeStep[];
  verdict: 'ok' | 'flagged' | 'inconclusive';
  reasons: string[];
}

export interface SanityReport {
  target: { index: number; label: string };
  randomTarget: { index: number; label: string };
  layers: number;
  queries: number;
  threshold: number;
  rows: SanityRow[];
}

type Combo = { method: MethodName; gradient: GradientName | 'none' };

/** The same classifier (preprocessing, labels, image geometry) with another ONNX file's weights. */
async function withModelFile(classifier: Classifier, path: string): Promise<Classifier> {
  const { card, preprocessing } = classifier;
  const model = await loadOnnxModel(path, {
    ...(card.input ? { inputName: card.input } : {}),
    ...(card.output ? { outputName: card.output } : {}),
    ...(card.layout ? { layout: card.layout } : {}),
    scoreKind: classifier.model.scoreKind,
    height: preprocessing.height,
    width: preprocessing.width,
    threads: 1,
  });
  return { ...classifier, model, card: { ...card, model: path }, dispose: () => model.dispose() };
}

export async function sanityCheck(classifier: Classifier, image: string, config: SanityConfig): Promise<SanityReport> {
  const cascadePoints = config.cascadePoints ?? SANITY_DEFAULTS.cascadePoints;
  const threshold = config.threshold ?? SANITY_DEFAULTS.threshold;
  const bytes = await readFile(classifier.card.model).catch(() => {
    throw new LrsalError('FILE_NOT_FOUND', `cannot read model ${classifier.card.model}`);
  });
  const onnx = readOnnx(bytes, classifier.card.model);
  const layers = parameterLayers(onnx);
  if (layers.length === 0) throw new LrsalError('MODEL_INVALID', `${classifier.card.model}: no layer with learned parameters to randomise`);
  const depths = cascadeDepths(layers.length, cascadePoints);
  const combos = config.methods.flatMap((method): Combo[] => (method === 'rise' ? [{ method, gradient: 'none' }] : config.gradients.map((gradient) => ({ method, gradient }))));
  const total = combos.length * (3 + depths.length);
  let done = 0;
  const step = () => config.onStep?.(++done, total);

  const needsBackprop = combos.some((c) => c.gradient === 'backprop');
  const mapOf = async (c: Classifier, combo: Combo, seed: number, target: number, differentiable?: DifferentiableModel) => {
    const result = await explain(c, image, {
      ...config.explain,
      method: combo.method,
      gradient: combo.gradient === 'none' ? 'lr' : combo.gradient,
      queries: config.queries,
      seed,
      target,
      ...(differentiable && combo.gradient === 'backprop' ? { differentiable } : {}),
    });
    step();
    return result;
  };

  const { input } = await classifier.prepare(image);
  const predicted = topK(probabilities(classifier.model.scoreKind, await classifier.model.scores(input, 1), 0, classifier.model.classes), 1)[0]!;
  const rng = new Rng(config.seed);
  const other = classifier.model.classes > 1 ? (predicted + 1 + rng.nextInt(classifier.model.classes - 1)) % classifier.model.classes : predicted;
  const label = (index: number) => ({ index, label: classifier.labels[index]?.name ?? String(index) });

  // The intact model: the reference map, a repeat with another seed, and a random other class.
  const reference: Float32Array[] = [];
  const repeat: number[] = [];
  const randomLogit: number[] = [];
  const intact = needsBackprop ? await differentiableModelFromBytes(bytes, { threads: 1 }) : undefined;
  try {
    for (const combo of combos) {
      const map = (await mapOf(classifier, combo, config.seed, predicted, intact)).map;
      reference.push(map);
      repeat.push(spearman(map, (await mapOf(classifier, combo, config.seed + 1, predicted, intact)).map));
      randomLogit.push(spearman(map, (await mapOf(classifier, combo, config.seed + 1, other, intact)).map));
    }
  } finally {
    await intact?.dispose();
  }

  // The cascade: each depth is a fresh copy of the model with its top `depth` layers re-drawn.
  const cascade: CascadeStep[][] = combos.map(() => []);
  const dir = await mkdtemp(join(tmpdir(), 'lrsal-sanity-'));
  try {
    for (const depth of depths) {
      const randomised = writeOnnx(randomiseTopLayers(onnx, depth, config.seed + depth));
      const path = join(dir, `top-${depth}.onnx`);
      await writeFile(path, randomised);
      const broken = await withModelFile(classifier, path);
      const differentiable = needsBackprop ? await differentiableModelFromBytes(randomised, { threads: 1 }) : undefined;
      try {
        for (const [i, combo] of combos.entries()) {
          const map = (await mapOf(broken, combo, config.seed + 1, predicted, differentiable)).map;
          cascade[i]!.push({ layers: depth, down: layers[layers.length - depth]!.name, spearman: spearman(reference[i]!, map) });
        }
      } finally {
        await differentiable?.dispose();
        await broken.dispose();
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  const rows = combos.map((combo, i): SanityRow => {
    const reasons: string[] = [];
    const full = cascade[i]!.at(-1)!;
    const bar = threshold * repeat[i]!;
    if (repeat[i]! < INFORMATIVE_REPEAT) {
      reasons.push(`the map is mostly estimation noise at ${config.queries} queries (ρ between two seeds = ${repeat[i]!.toFixed(2)})`);
      return { ...combo, repeat: repeat[i]!, randomLogit: randomLogit[i]!, cascade: cascade[i]!, verdict: 'inconclusive', reasons };
    }
    if (full.spearman >= bar) reasons.push(`survives randomising all ${full.layers} layers (ρ = ${full.spearman.toFixed(2)})`);
    if (randomLogit[i]! >= bar) reasons.push(`hardly changes for a random class (ρ = ${randomLogit[i]!.toFixed(2)})`);
    return { ...combo, repeat: repeat[i]!, randomLogit: randomLogit[i]!, cascade: cascade[i]!, verdict: reasons.length ? 'flagged' : 'ok', reasons };
  });
  return { target: label(predicted), randomTarget: label(other), layers: layers.length, queries: config.queries, threshold, rows };
}
