/**
 * One saliency map, end to end: decode the image, ask the model once for its prediction (which fixes the
 * target and f(x)), then spend the rest of the query budget on the chosen method × gradient source.
 * `queries` is the whole budget, the prediction query included, and is respected exactly.
 */
import { invalidArgument, requireInteger } from './core/errors.js';
import { QueryLedger, metered, type LedgerProgress } from './core/ledger.js';
import { pick, stripUndefined } from './core/options.js';
import type { BatchFunction } from './core/batch-function.js';
import { Rng } from './core/rng.js';
import type { Shape } from './core/tensor.js';
import { loadDifferentiableModel, type DifferentiableModel } from './backprop/index.js';
import { backpropSource } from './gradients/backprop.js';
import type { GradientSource } from './gradients/gradient-source.js';
import type { NoiseShape } from './gradients/noise-shapes.js';
import { createGradientSource, type BlackBoxGradientName } from './gradients/registry.js';
import { blurImage, loadImage, type RgbImage } from './io/image.js';
import { reduceChannels, type ChannelReduction } from './methods/channel-reduction.js';
import { createMethod, type MethodName } from './methods/registry.js';
import type { Classifier } from './models/classifier.js';
import { blackInput, pixelStep, resizeShorterOf, toModelInput, type Preprocessing } from './models/preprocess.js';
import { probabilities, scoreFunction, scoreValue, topK, type ScoreObjective } from './objectives/scores.js';
import { resolveTarget, type ResolvedTarget } from './objectives/target.js';
import type { Fit, ImageGeometry } from './render/geometry.js';

/** IG baseline by measurement (docs/ig-baseline.md): a blurred copy beat black on deletion and insertion. */
export const DEFAULT_IG_BASELINE = 'blur';

/** Default noise σ, in 8-bit grey levels (converted to model-input units per model). See docs/results.md. */
export const DEFAULT_SIGMA_GREY_LEVELS = 0.05;

export type GradientName = BlackBoxGradientName | 'backprop';

export interface ExplainOptions {
  method?: MethodName;
  /** lr, blockwise, focused, or backprop (the exact gradient of the same ONNX file, for comparison). */
  gradient?: GradientName;
  /** For gradient 'backprop': an already loaded differentiable model (else it is built from the model file). */
  differentiable?: DifferentiableModel;
  /** Total model queries, the prediction query included (default 1000). */
  queries?: number;
  seed?: number;
  objective?: ScoreObjective;
  /** Class to explain: index, WordNet id or name; default the model's top-1. */
  target?: string | number;
  /** Noise σ in model-input units; default DEFAULT_SIGMA_GREY_LEVELS grey levels. */
  sigma?: number;
  block?: number;
  /** Noise shape and tile side (default GRADIENT_DEFAULTS in gradients/registry.ts). */
  noise?: NoiseShape;
  tile?: number;
  /** Focused gradient: cells per image side and the survey's share of each estimate's budget (gradients/focused.ts). */
  grid?: number;
  survey?: number;
  antithetic?: boolean;
  baseline?: boolean;
  batchSize?: number;
  steps?: number;
  samples?: number;
  noiseLevel?: number;
  /** IG baseline: 'black', 'blur' or an image path (default blur: see docs/ig-baseline.md). RISE fills masked pixels with black. */
  igBaseline?: string;
  cells?: number;
  keep?: number;
  reduction?: ChannelReduction;
  /** How the photo becomes the model's input: 'crop' (centre crop, default) or 'pad' (letterbox: all of it). */
  fit?: Fit;
  onProgress?: (p: LedgerProgress) => void;
  /** Cancels queries in flight (their answers are lost). */
  signal?: AbortSignal;
  /** Graceful stop: queries in flight finish, no new one starts (see QueryLedger.requestStop). */
  stopSignal?: AbortSignal;
}

export const EXPLAIN_DEFAULTS = {
  method: 'ig' as MethodName,
  gradient: 'blockwise' as GradientName,
  queries: 1000,
  seed: 0,
  objective: 'logit' as ScoreObjective,
  reduction: 'abs-sum' as ChannelReduction,
};

export interface Prediction {
  index: number;
  label: string;
  probability: number;
}

export interface Explanation {
  target: ResolvedTarget;
  predictions: Prediction[];
  method: MethodName;
  gradient: GradientName | 'none';
  objective: ScoreObjective;
  queries: number;
  seconds: number;
  seed: number;
  sigma: number;
  /** The crop the model saw. */
  image: RgbImage;
  /** Where that crop sits on the original photo (render/geometry.ts mapToOriginal maps `map` back onto it). */
  geometry: ImageGeometry;
  /** Full attribution (C×H×W, or 1×H×W for RISE). */
  attribution: Float32Array;
  attributionShape: Shape;
  /** The map a person looks at (H×W), after channel reduction. */
  map: Float32Array;
}

export async function explain(classifier: Classifier, imageSource: string | Buffer, options: ExplainOptions = {}): Promise<Explanation> {
  const started = performance.now();
  const o = { ...EXPLAIN_DEFAULTS, ...stripUndefined(options) };
  const budget = requireInteger('queries', o.queries, 1);
  if (budget < 2) throw invalidArgument(`queries must be at least 2 (1 prediction + 1 for the map), got ${budget}`);
  const { model, preprocessing, labels } = classifier;
  const { image, input: x, geometry } = await classifier.prepare(imageSource, o.fit ? { fit: o.fit } : {});

  const ledger = new QueryLedger(budget);
  if (o.onProgress) ledger.onProgress(o.onProgress);
  ledger.stopOn(o.stopSignal);
  ledger.charge(1);
  const scores = await model.scores(x, 1, o.signal);
  ledger.notify();
  const probs = probabilities(model.scoreKind, scores, 0, model.classes);
  const top = topK(probs, 5);
  const target = resolveTarget(o.target, labels, top[0]!);
  const valueAtX = scoreValue(o.objective, model.scoreKind, scores, 0, model.classes, target.index);
  const f = metered(scoreFunction(model, o.objective, target.index), ledger);

  const sigma = o.sigma ?? DEFAULT_SIGMA_GREY_LEVELS * greyLevel(preprocessing);
  const shape = model.inputShape;
  let owned: DifferentiableModel | undefined;
  let source: GradientSource;
  if (o.gradient === 'backprop' && o.method !== 'rise') {
    const differentiable = o.differentiable ?? (owned = await loadDifferentiableModel(classifier.card.model));
    source = backpropSource(differentiable, target.index, o.objective);
  } else {
    source = createGradientSource(o.gradient === 'backprop' ? 'lr' : o.gradient, shape, { sigma, ...pick(o, ['block', 'noise', 'tile', 'grid', 'survey', 'antithetic', 'baseline', 'batchSize']) });
  }
  let result;
  try {
    result = await attributeWithMethod(f, x, valueAtX, budget - 1, source, o, classifier.preprocessing, image);
  } finally {
    await owned?.dispose();
  }
  return {
    target,
    predictions: top.map((index) => ({ index, label: labels[index]!.name, probability: probs[index]! })),
    method: o.method,
    gradient: o.method === 'rise' ? 'none' : o.gradient,
    objective: o.objective,
    queries: ledger.spent,
    seconds: (performance.now() - started) / 1000,
    seed: o.seed,
    sigma,
    image,
    geometry,
    attribution: result.values,
    attributionShape: result.shape,
    map: result.map,
  };
}

type MethodOptions = Pick<ExplainOptions, 'samples' | 'noiseLevel' | 'steps' | 'cells' | 'keep' | 'batchSize' | 'igBaseline' | 'signal'> & {
  method: MethodName;
  seed: number;
  reduction: ChannelReduction;
};

/**
 * The part every path shares once f, x and a gradient source exist: build the method (with its IG baseline
 * or RISE fill in model-input space), spend `queries` on it, and reduce the attribution to the H×W map.
 */
export async function attributeWithMethod(
  f: BatchFunction,
  x: Float32Array,
  valueAtX: number,
  queries: number,
  source: GradientSource,
  o: MethodOptions,
  preprocessing: Preprocessing,
  image: RgbImage,
): Promise<{ values: Float32Array; shape: Shape; map: Float32Array }> {
  const baseline = o.method === 'ig' || o.method === 'rise' ? await baselineInput(preprocessing, f.shape, image, o.method === 'rise' ? 'black' : o.igBaseline ?? DEFAULT_IG_BASELINE) : undefined;
  const method = createMethod(o.method, source, {
    ...pick(o, ['samples', 'noiseLevel', 'steps', 'cells', 'keep', 'batchSize']),
    ...(baseline ? { baseline } : {}),
  });
  const result = await method.attribute({ f, x, queries, rng: new Rng(o.seed), valueAtX, ...(o.signal ? { signal: o.signal } : {}) });
  return { values: result.values, shape: result.shape, map: reduceChannels(result.values, result.shape, o.reduction) };
}

/** The IG baseline / RISE fill in model-input space. */
async function baselineInput(p: Preprocessing, shape: Shape, image: RgbImage, kind: string): Promise<Float32Array> {
  if (kind === 'black') return blackInput(p, shape);
  const source = kind === 'blur' ? await blurImage(image, Math.max(image.width, image.height) / 20) : await loadImage(kind, { resizeShorter: resizeShorterOf(p), crop: { width: p.width, height: p.height } });
  return toModelInput(p, source.data, source.height, source.width);
}

/** Mean of one grey level in model-input units over the channels (σ defaults are given in grey levels). */
export function greyLevel(p: Preprocessing): number {
  const step = pixelStep(p);
  return step.reduce((a, b) => a + b, 0) / step.length;
}
