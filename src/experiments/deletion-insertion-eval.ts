/**
 * The paper's Table 1: deletion and insertion AUC for each method × gradient source at one query budget,
 * over the images the model classifies correctly (the others are skipped and counted).
 */
import type { DifferentiableModel } from '../models/differentiable-onnx.js';
import { QueryLedger, metered } from '../core/ledger.js';
import { explain, type GradientName } from '../explain/index.js';
import { blurImage } from '../io/image.js';
import type { NoiseShape } from '../gradients/noise-shapes.js';
import type { MethodName } from '../methods/registry.js';
import type { Classifier } from '../models/classifier.js';
import { toModelInput } from '../models/preprocess.js';
import { scoreFunction, topK } from '../objectives/scores.js';
import { pixelCurve } from '../metrics/deletion-insertion.js';
import { meanStd, type ManifestEntry } from './manifest.js';

export interface EvalConfig {
  methods: MethodName[];
  gradients: GradientName[];
  queries: number;
  seed: number;
  differentiable?: DifferentiableModel;
  /** IG baseline (black, blur or an image path); default: explain's. */
  igBaseline?: string;
  /** Noise σ of the black-box gradients in model-input units; default: explain's. */
  sigma?: number;
  /** Noise shape and tile side for the black-box gradients; default: GRADIENT_DEFAULTS. */
  noise?: NoiseShape;
  tile?: number;
}

export interface EvalRow {
  method: MethodName;
  gradient: GradientName | 'none';
  queries: number;
  deletion: { mean: number; std: number };
  insertion: { mean: number; std: number };
  images: number;
  /** AUC per image evaluated (same image order in every row), for paired comparisons between rows. */
  perImage: { deletion: number[]; insertion: number[] };
}

/** Mean curves of one method × gradient over the images evaluated (probability after each step). */
export interface EvalCurves {
  method: MethodName;
  gradient: GradientName | 'none';
  deletion: number[];
  insertion: number[];
}

export async function evaluateDeletionInsertion(
  classifier: Classifier,
  images: ManifestEntry[],
  config: EvalConfig,
  onStep?: (done: number, total: number) => void,
): Promise<{ results: EvalRow[]; skipped: number; curves: EvalCurves[] }> {
  // RISE needs no gradient: it runs once, not once per gradient source.
  type Combo = { method: MethodName; gradient: GradientName | 'none' };
  const combos = config.methods.flatMap((method): Combo[] =>
    method === 'rise' ? [{ method, gradient: 'none' }] : config.gradients.map((gradient) => ({ method, gradient })),
  );
  const del = combos.map(() => [] as number[]);
  const ins = combos.map(() => [] as number[]);
  const curveSums = combos.map(() => ({ deletion: [] as number[], insertion: [] as number[] }));
  const addTo = (sum: number[], values: readonly number[]) => values.forEach((v, k) => (sum[k] = (sum[k] ?? 0) + v));
  let skipped = 0;
  let done = 0;
  const total = images.length * combos.length;
  for (const image of images) {
    const { input: x, image: rgb } = await classifier.prepare(image.path);
    if (topK(await classifier.model.scores(x, 1), 1)[0] !== image.index) {
      skipped++;
      done += combos.length;
      onStep?.(done, total);
      continue;
    }
    const probability = metered(scoreFunction(classifier.model, 'probability', image.index), new QueryLedger(Number.MAX_SAFE_INTEGER));
    const blurred = await blurImage(rgb, Math.max(rgb.width, rgb.height) / 20);
    const blurredInput = toModelInput(classifier.preprocessing, blurred.data, blurred.height, blurred.width);
    const zeros = new Float32Array(x.length);
    for (const [i, combo] of combos.entries()) {
      const result = await explain(classifier, image.path, {
        method: combo.method,
        gradient: combo.gradient === 'none' ? 'lr' : combo.gradient,
        queries: config.queries,
        seed: config.seed,
        target: image.index,
        ...(config.differentiable ? { differentiable: config.differentiable } : {}),
        ...(config.igBaseline ? { igBaseline: config.igBaseline } : {}),
        ...(config.sigma ? { sigma: config.sigma } : {}),
        ...(config.noise ? { noise: config.noise } : {}),
        ...(config.tile ? { tile: config.tile } : {}),
      });
      const deletion = await pixelCurve(probability, x, zeros, result.map);
      const insertion = await pixelCurve(probability, blurredInput, x, result.map);
      del[i]!.push(deletion.auc);
      ins[i]!.push(insertion.auc);
      addTo(curveSums[i]!.deletion, deletion.values);
      addTo(curveSums[i]!.insertion, insertion.values);
      onStep?.(++done, total);
    }
  }
  return {
    results: combos.map((c, i) => ({ ...c, queries: config.queries, deletion: meanStd(del[i]!), insertion: meanStd(ins[i]!), images: del[i]!.length, perImage: { deletion: del[i]!, insertion: ins[i]! } })),
    skipped,
    curves: combos.map((c, i) => {
      const mean = (sum: number[]) => sum.map((v) => v / Math.max(1, del[i]!.length));
      return { ...c, deletion: mean(curveSums[i]!.deletion), insertion: mean(curveSums[i]!.insertion) };
    }),
  };
}
