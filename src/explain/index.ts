/**
 * One saliency map, end to end, for any black box: a loaded classifier, a remote label or text model, or a
 * plain function with its input shape. Decode the image, spend one query on the prediction (which fixes the
 * target and f(x)), then spend the rest of the budget on the chosen method × gradient source.
 * `queries` is the whole budget, the prediction query included, and is a hard ceiling.
 */
import { invalidArgument, requireInteger } from '../core/errors.js';
import { QueryLedger } from '../core/ledger.js';
import { pick, stripUndefined } from '../core/options.js';
import type { Shape } from '../core/tensor.js';
import { backpropSource } from '../gradients/backprop.js';
import { focusShare, type CellRanking } from '../gradients/focus-sharing.js';
import type { GradientSource } from '../gradients/gradient-source.js';
import { createGradientSource } from '../gradients/registry.js';
import { loadImage, type RgbImage } from '../io/image.js';
import type { ChannelReduction } from '../methods/channel-reduction.js';
import { mapUncertainty, noUncertaintyReason, type MapUncertainty } from '../methods/map-uncertainty.js';
import type { RemoteStats } from '../models/remote/types.js';
import type { Fit, ImageGeometry } from '../render/geometry.js';
import type { DifferentiableModel } from '../models/differentiable.js';
import { loadDifferentiableModel } from '../models/differentiable-onnx.js';
import { toModelInput } from '../models/preprocess.js';
import type { BackpropObjective } from '../models/differentiable.js';
import { attribute, buildMethod, type AttributionResult } from './attribute.js';
import { greyLevel, openBlackBox, type BlackBox, type ExplainedTarget, type OpenedBlackBox, type Prediction } from './black-box.js';
import { EXPLAIN_DEFAULTS, scoreModelSigmaGreyLevels, type ExplainOptions } from './options.js';
import { observed, type QueryStats } from './query-stats.js';
import { validateExplainOptions } from './validate-options.js';
import { attributeUntilStable, stabilityThreshold, validateUntilStable, type StabilityReport } from './until-stable.js';

export * from './options.js';
export { greyLevel, type BlackBox, type ScoreFunction, type ExplainedTarget, type Prediction } from './black-box.js';
export type { QueryStats } from './query-stats.js';
export { DEFAULT_STABILITY, type StabilityReport } from './until-stable.js';
export { attributeWithMethod } from './attribute.js';

/** What `explain()` is given to explain: a file path, encoded bytes, decoded pixels, or an input x itself. */
export type ImageInput = string | Uint8Array | RgbImage | Float32Array;

export interface Explanation {
  target: ExplainedTarget;
  /** Score models: the top-5 classes at x. */
  predictions: Prediction[];
  /** Remote models: what the model answered at x. */
  answer?: string;
  /** f at x (the prediction query). */
  valueAtX: number;
  /** Score models: the target class's probability at x (also for classes outside the top 5). */
  probability?: number;
  /** The method as run ("ig", "smoothgrad(ig)", …) and the gradient source ("none" for RISE). */
  method: string;
  gradient: string;
  objective: string;
  /** Queries spent, the prediction included (never more than the budget). */
  queries: number;
  /** Remote models: images sent, answers from the cache, money spent (0 for local models). */
  sent: number;
  cacheHits: number;
  cost: number;
  /** Remote label/prompt objectives: answers that named no known class (they score as the farthest answer). */
  unusableAnswers?: number;
  /** Remote models: all of the adapter's totals (retries, cache errors, …). */
  remote?: RemoteStats;
  /** f over every query of the run: how much the noise moved it (a flat f gives a flat map). */
  queryStats: QueryStats;
  seconds: number;
  seed: number;
  sigma: number;
  /** The image the model saw (its crop), when an image was given. */
  image?: RgbImage;
  /** Where that crop sits on the original photo (render/geometry.ts mapToOriginal maps `map` back onto it). */
  geometry?: ImageGeometry;
  /** The input x, in model-input space (CHW). */
  input: Float32Array;
  /** Full attribution (C×H×W, or 1×H×W for RISE) and its shape. */
  attribution: Float32Array;
  attributionShape: Shape;
  /** The map a person looks at (H×W), after channel reduction. */
  map: Float32Array;
  /**
   * Focused gradient with topK/targets, classes after the first: the class whose directions this map was solved
   * on. The map is the projection of this class's gradient onto the directions focused on that class, not what
   * a focused run of its own would give (focus-sharing.ts).
   */
  directionsOf?: ExplainedTarget;
  /**
   * Per-pixel standard error of the attribution and the map from the same queries, and a signal-to-noise figure
   * (methods/map-uncertainty.ts); null when the method × gradient has none, with the reason in uncertaintyReason.
   */
  uncertainty: MapUncertainty | null;
  uncertaintyReason?: string;
  /** With untilStable: the checkpoints' rank correlations and whether the map became stable before the budget ran out. */
  stability?: StabilityReport;
  /** With topK/targets: one explanation per class (the first is this one), all from the same queries. */
  classes?: Explanation[];
}

export async function explain(box: BlackBox, image: ImageInput, options: ExplainOptions = {}): Promise<Explanation> {
  const started = performance.now();
  // The objective's default depends on the kind of black box (logit for scores, label or prompt for remote).
  const { objective: _scoreDefault, ...defaults } = EXPLAIN_DEFAULTS;
  const o = { ...defaults, ...stripUndefined(options) };
  const opened = openBlackBox(box, o);
  // Every option checked before the first (possibly paid) query.
  validateExplainOptions(options, opened.kind === 'scores' ? 'scores' : opened.kind === 'function' ? 'function' : 'remote', opened.shape);
  const budget = requireInteger('queries', o.queries, 2);
  const stableAt = stabilityThreshold(o.untilStable);
  if (stableAt !== undefined) validateUntilStable(o);
  // Remote models: batches as large as the adapter's concurrency by default, so every request slot stays busy.
  if (options.batchSize === undefined && opened.batchSize !== undefined) o.batchSize = opened.batchSize;
  const { image: seen, input: x, geometry } = await prepareInput(opened, image, o.fit);

  const ledger = new QueryLedger(budget);
  if (o.onProgress) ledger.onProgress(o.onProgress);
  ledger.stopOn(o.stopSignal);
  const resolved = await opened.resolve(x, ledger, o);
  // Score models: blockwise has its own default σ (docs/ig-sweep.md); other kinds keep the black box's.
  const sigma = o.sigma ?? (opened.kind === 'scores' ? scoreModelSigmaGreyLevels(o.gradient) * greyLevel(opened.preprocessing) : opened.sigma);
  if (resolved.length > 1 && typeof o.gradient !== 'string' && o.gradient.estimateMean) {
    throw invalidArgument('topK/targets share one run\'s queries across classes; this gradient source may adapt its queries to one class: explain each class on its own');
  }
  // Focused (adaptive) with several classes: the first class chooses the directions, the others follow (focus-sharing.ts).
  const share = resolved.length > 1 && o.gradient === 'focused' ? focusShare() : undefined;
  let owned: DifferentiableModel | undefined;
  try {
    const maps: Explanation[] = [];
    for (const [k, one] of resolved.entries()) {
      const { f, stats } = observed(one.f, one.valueAtX);
      const ranking = share && (k === 0 ? share.lead : share.follower());
      const source = await gradientSource(o, opened, one.target, one.objective, sigma, owned, (m) => (owned = m), ranking);
      const method = await buildMethod({ ...o, method: o.method }, source, opened.preprocessing, opened.shape, seen);
      const run = { seed: o.seed, reduction: o.reduction as ChannelReduction, ...(o.signal ? { signal: o.signal } : {}) };
      const result: AttributionResult & { stability?: StabilityReport } =
        stableAt === undefined
          ? await attribute(method, f, x, one.valueAtX, budget - 1, run)
          : await attributeUntilStable(method, f, x, one.valueAtX, budget - 1, { ...run, threshold: stableAt, antithetic: 'settings' in source && Boolean((source as { settings: { antithetic: boolean } }).settings.antithetic) });
      const remote = opened.stats();
      const gradientName = result.method === 'rise' ? 'none' : source.name;
      const uncertainty = result.covariance ? mapUncertainty(result.values, result.shape, result.covariance, o.reduction as ChannelReduction, result.map) : null;
      maps.push({
        target: one.target,
        predictions: one.predictions,
        ...(one.answer !== undefined ? { answer: one.answer } : {}),
        ...(one.unusableAnswers ? { unusableAnswers: one.unusableAnswers() } : {}),
        valueAtX: one.valueAtX,
        ...(one.probability !== undefined ? { probability: one.probability } : {}),
        method: result.method,
        gradient: gradientName,
        objective: one.objective,
        queries: ledger.spent,
        sent: remote.sent,
        cacheHits: remote.cacheHits,
        cost: remote.cost,
        ...(opened.kind === 'labels' || opened.kind === 'text' ? { remote } : {}),
        queryStats: stats(),
        seconds: (performance.now() - started) / 1000,
        seed: o.seed,
        sigma,
        ...(seen ? { image: seen } : {}),
        ...(geometry ? { geometry } : {}),
        input: x,
        attribution: result.values,
        attributionShape: result.shape,
        map: result.map,
        ...(share && k > 0 ? { directionsOf: resolved[0]!.target } : {}),
        uncertainty,
        ...(uncertainty ? {} : { uncertaintyReason: noUncertaintyReason(result.method, gradientName) }),
        ...(result.stability ? { stability: result.stability } : {}),
      });
    }
    const seconds = (performance.now() - started) / 1000;
    for (const m of maps) m.seconds = seconds;
    return resolved.length > 1 ? { ...maps[0]!, classes: maps } : maps[0]!;
  } finally {
    await owned?.dispose();
  }
}

/** @deprecated Use `explain()`: it takes remote label and text models too. */
export const explainRemote = explain;
export type RemoteExplainOptions = ExplainOptions;
export type RemoteExplanation = Explanation;

async function prepareInput(opened: OpenedBlackBox, image: ImageInput, fit: Fit | undefined): Promise<{ image?: RgbImage; input: Float32Array; geometry?: ImageGeometry }> {
  const { shape, preprocessing: p } = opened;
  if (image instanceof Float32Array) {
    const d = shape.channels * shape.height * shape.width;
    if (image.length !== d) throw invalidArgument(`the input has ${image.length} values; the black box takes ${d} (${shape.channels}×${shape.height}×${shape.width})`);
    return { input: image };
  }
  // A classifier decodes its own sources (files and bytes in Node; a Blob or a crop in the browser page).
  if (opened.classifier) return opened.classifier.prepare(image as Buffer, fit ? { fit } : {});
  if (fit !== undefined) throw invalidArgument('fit applies to ONNX classifiers (remote models and functions see a centre crop)');
  if (shape.channels !== 3) throw invalidArgument(`the black box takes ${shape.channels}-channel inputs: pass the input as a Float32Array`);
  const decoded = isPixels(image)
    ? await cropPixels(image, p.width, p.height)
    : await loadImage(image as string | Buffer, { resizeShorter: p.resizeShorter ?? Math.round(Math.min(p.height, p.width) / 0.875), crop: { width: p.width, height: p.height } });
  return { image: decoded, input: toModelInput(p, decoded.data, decoded.height, decoded.width) };
}

function isPixels(image: ImageInput): image is RgbImage {
  return typeof image === 'object' && 'data' in image && 'width' in image && 'height' in image;
}

/** Decoded pixels of the right size pass as they are; others go through the same resize + crop as files. */
async function cropPixels(image: RgbImage, width: number, height: number): Promise<RgbImage> {
  if (image.width === width && image.height === height) return image;
  // Loaded when needed: the browser bundle's stand-in for io/image.ts has no PNG encoder.
  const { encodePng } = await import('../io/image.js');
  return loadImage(await encodePng(image), { resizeShorter: Math.min(width, height), crop: { width, height } });
}

async function gradientSource(
  o: ExplainOptions & { gradient: NonNullable<ExplainOptions['gradient']> },
  opened: OpenedBlackBox,
  target: ExplainedTarget,
  objective: string,
  sigma: number,
  loaded: DifferentiableModel | undefined,
  own: (m: DifferentiableModel) => void,
  ranking?: CellRanking,
): Promise<GradientSource> {
  if (typeof o.gradient !== 'string') return o.gradient;
  if (o.gradient === 'backprop') {
    if (o.method === 'rise') return createGradientSource('lr', opened.shape, { sigma });
    if (!opened.classifier || target.index === undefined) throw invalidArgument('gradient "backprop" needs a local ONNX classifier: a remote model or a function has no gradients');
    const differentiable = o.differentiable ?? loaded ?? (await loadDifferentiableModel(opened.classifier.card.model));
    if (!o.differentiable && !loaded) own(differentiable);
    return backpropSource(differentiable, target.index, objective as BackpropObjective);
  }
  const block = o.block ?? opened.block;
  return createGradientSource(o.gradient, opened.shape, { sigma, ...(block !== undefined ? { block } : {}), ...pick(o, ['noise', 'tile', 'grid', 'survey', 'antithetic', 'baseline', 'batchSize']), ...(ranking ? { ranking } : {}) });
}
