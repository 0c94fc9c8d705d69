/**
 * The paper's Table 1: deletion and insertion AUC for each method × gradient source at one query budget,
 * over the images the model classifies correctly (the others are skipped and counted). Every table also
 * scores model-free reference maps (random order, centred Gaussian, blur difference) and, with `maps`, maps
 * made by another tool; beside the AUCs, AOPC and MoRF−LeRF (metrics/curve-scores.ts); the fills are named.
 */
import type { DifferentiableModel } from '../models/differentiable-onnx.js';
import { QueryLedger, metered } from '../core/ledger.js';
import { explain, type ExplainOptions, type GradientName } from '../explain/index.js';
import { blurImage } from '../io/image.js';
import type { NoiseShape } from '../gradients/noise-shapes.js';
import type { MethodName } from '../methods/registry.js';
import type { IgPath } from '../methods/integrated-gradients.js';
import type { Classifier } from '../models/classifier.js';
import { toModelInput } from '../models/preprocess.js';
import { scoreFunction, topK } from '../objectives/scores.js';
import { pixelCurve } from '../metrics/deletion-insertion.js';
import { aopc, morfMinusLerf, reversedMap } from '../metrics/curve-scores.js';
import { REFERENCE_MAPS, blurDifferenceMap, centrePriorMap, randomMap, type ReferenceMapName } from '../metrics/reference-maps.js';
import { toPixels } from '../models/preprocess.js';
import { checkExternalMaps, readExternalMap } from './external-maps.js';
import { meanStd, type ManifestEntry } from './manifest.js';

/** What a row scores: a method, a model-free reference map, or maps read from a folder (`maps`). */
export type EvalMethod = MethodName | ReferenceMapName | 'maps';

/** The insertion curve starts from a copy blurred with σ = (longer side) / this. */
const INSERTION_BLUR_DIVISOR = 20;

export interface EvalConfig {
  methods: MethodName[];
  gradients: GradientName[];
  queries: number;
  seed: number;
  differentiable?: DifferentiableModel;
  /** IG baseline (black, blur or an image path); default: explain's. */
  igBaseline?: string;
  /** IG path estimate ('steps' or 'sampled'); default: explain's. */
  igPath?: IgPath;
  /** Antithetic noise pairs for the black-box gradients; default: explain's. */
  antithetic?: boolean;
  /** Noise σ of the black-box gradients in model-input units; default: explain's. */
  sigma?: number;
  /** Noise shape and tile side for the black-box gradients; default: GRADIENT_DEFAULTS. */
  noise?: NoiseShape;
  tile?: number;
  /** Folder of maps made by another tool (`<image stem>.npy`), scored as method 'maps'. */
  maps?: string;
  /** Score the reference maps too (default true). */
  references?: boolean;
  /** More explain() settings for the gradient-based maps (issue 17's sweep); RISE keeps its own. */
  settings?: EvalSettings;
}

/** explain() options eval passes through as they are (not to RISE, which has no gradient to tunnel or block). */
export type EvalSettings = Pick<ExplainOptions, 'reduction' | 'tunnel' | 'samples' | 'noiseLevel' | 'block' | 'steps'>;

type Stat = { mean: number; std: number };

export interface EvalRow {
  method: EvalMethod;
  gradient: GradientName | 'none';
  queries: number;
  deletion: Stat;
  insertion: Stat;
  /** Mean probability drop over the most-relevant-first deletion curve (higher is better). */
  aopc: Stat;
  /** AUC of least- minus most-relevant-first deletion (higher is better; ~0 for a random order). */
  morfLerf: Stat;
  images: number;
  /** Scores per image evaluated (same image order in every row), for paired comparisons between rows. */
  perImage: { deletion: number[]; insertion: number[]; aopc: number[]; morfLerf: number[] };
}

/** What the perturbations put in, so a table says which deletion/insertion it measured. */
export interface EvalFills {
  deletion: string;
  insertion: string;
}

/** Mean curves of one method × gradient over the images evaluated (probability after each step). */
export interface EvalCurves {
  method: EvalMethod;
  gradient: GradientName | 'none';
  deletion: number[];
  insertion: number[];
}

export async function evaluateDeletionInsertion(
  classifier: Classifier,
  images: ManifestEntry[],
  config: EvalConfig,
  onStep?: (done: number, total: number) => void,
): Promise<{ results: EvalRow[]; skipped: number; curves: EvalCurves[]; fills: EvalFills }> {
  // RISE needs no gradient: it runs once, not once per gradient source; so do the maps that need no model.
  type Combo = { method: EvalMethod; gradient: GradientName | 'none' };
  const combos = config.methods.flatMap((method): Combo[] =>
    method === 'rise' ? [{ method, gradient: 'none' }] : config.gradients.map((gradient) => ({ method, gradient })),
  );
  if (config.maps) combos.push({ method: 'maps', gradient: 'none' });
  if (config.references !== false) combos.push(...REFERENCE_MAPS.map((method): Combo => ({ method, gradient: 'none' })));
  if (config.maps) await checkExternalMaps(config.maps, images.map((i) => i.file));
  const scores = combos.map(() => ({ deletion: [] as number[], insertion: [] as number[], aopc: [] as number[], morfLerf: [] as number[] }));
  const curveSums = combos.map(() => ({ deletion: [] as number[], insertion: [] as number[] }));
  const addTo = (sum: number[], values: readonly number[]) => values.forEach((v, k) => (sum[k] = (sum[k] ?? 0) + v));
  const { width: mw, height: mh } = classifier.model.inputShape;
  const zeroColour = Array.from(toPixels(classifier.preprocessing, new Float32Array(3), 1, 1));
  const fills: EvalFills = {
    deletion: `pixels set to 0 in model input, i.e. RGB(${zeroColour.join(', ')}), most relevant first (LeRF for MoRF−LeRF: least relevant first)`,
    insertion: `from a Gaussian-blurred copy (σ = ${(Math.max(mw, mh) / INSERTION_BLUR_DIVISOR).toFixed(1)} px) back to the image, most relevant first`,
  };
  let skipped = 0;
  let done = 0;
  const total = images.length * combos.length;
  for (const [imageNumber, image] of images.entries()) {
    const { input: x, image: rgb, geometry } = await classifier.prepare(image.path);
    if (topK(await classifier.model.scores(x, 1), 1)[0] !== image.index) {
      skipped++;
      done += combos.length;
      onStep?.(done, total);
      continue;
    }
    const probability = metered(scoreFunction(classifier.model, 'probability', image.index), new QueryLedger(Number.MAX_SAFE_INTEGER));
    const blurred = await blurImage(rgb, Math.max(rgb.width, rgb.height) / INSERTION_BLUR_DIVISOR);
    const blurredInput = toModelInput(classifier.preprocessing, blurred.data, blurred.height, blurred.width);
    const zeros = new Float32Array(x.length);
    const mapOf = async (combo: Combo): Promise<Float32Array> => {
      switch (combo.method) {
        case 'random': return randomMap(mh, mw, config.seed * 100_003 + imageNumber);
        case 'centre-prior': return centrePriorMap(mh, mw);
        case 'blur-difference': return blurDifferenceMap(rgb.data, blurred.data);
        case 'maps': return readExternalMap(config.maps!, image.file, geometry!);
        default: {
          const result = await explain(classifier, image.path, {
            method: combo.method,
            gradient: combo.gradient === 'none' ? 'lr' : combo.gradient,
            queries: config.queries,
            seed: config.seed,
            target: image.index,
            ...(config.differentiable ? { differentiable: config.differentiable } : {}),
            ...(config.igBaseline ? { igBaseline: config.igBaseline } : {}),
            ...(config.igPath ? { igPath: config.igPath } : {}),
            ...(config.antithetic ? { antithetic: true } : {}),
            ...(config.sigma ? { sigma: config.sigma } : {}),
            ...(config.noise ? { noise: config.noise } : {}),
            ...(config.tile ? { tile: config.tile } : {}),
            ...(combo.method !== 'rise' ? config.settings : {}),
          });
          return result.map;
        }
      }
    };
    for (const [i, combo] of combos.entries()) {
      const map = await mapOf(combo);
      const deletion = await pixelCurve(probability, x, zeros, map);
      const insertion = await pixelCurve(probability, blurredInput, x, map);
      const lerf = await pixelCurve(probability, x, zeros, reversedMap(map));
      scores[i]!.deletion.push(deletion.auc);
      scores[i]!.insertion.push(insertion.auc);
      scores[i]!.aopc.push(aopc(deletion.values));
      scores[i]!.morfLerf.push(morfMinusLerf(deletion.values, lerf.values));
      addTo(curveSums[i]!.deletion, deletion.values);
      addTo(curveSums[i]!.insertion, insertion.values);
      onStep?.(++done, total);
    }
  }
  return {
    results: combos.map((c, i) => {
      const s = scores[i]!;
      return { ...c, queries: c.method === 'maps' || (REFERENCE_MAPS as readonly string[]).includes(c.method) ? 0 : config.queries, deletion: meanStd(s.deletion), insertion: meanStd(s.insertion), aopc: meanStd(s.aopc), morfLerf: meanStd(s.morfLerf), images: s.deletion.length, perImage: s };
    }),
    skipped,
    curves: combos.map((c, i) => {
      const mean = (sum: number[]) => sum.map((v) => v / Math.max(1, scores[i]!.deletion.length));
      return { ...c, deletion: mean(curveSums[i]!.deletion), insertion: mean(curveSums[i]!.insertion) };
    }),
    fills,
  };
}
