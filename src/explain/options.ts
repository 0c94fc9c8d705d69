/**
 * Everything `explain()` can be told, with each default in one place. The same options serve every kind of
 * black box; a few apply to one kind only (noted per field).
 */
import type { LedgerProgress } from '../core/ledger.js';
import type { Shape } from '../core/tensor.js';
import type { EmbeddingProvider } from '../embeddings/provider.js';
import type { GradientSource } from '../gradients/gradient-source.js';
import type { NoiseShape } from '../gradients/noise-shapes.js';
import type { BlackBoxGradientName } from '../gradients/registry.js';
import type { AttributionMethod } from '../methods/attribution.js';
import type { IgPath } from '../methods/integrated-gradients.js';
import type { ChannelReduction } from '../methods/channel-reduction.js';
import type { Aggregate } from '../methods/noise-tunnel.js';
import type { MethodName } from '../methods/registry.js';
import type { DifferentiableModel } from '../models/differentiable.js';
import type { PreprocessSpec } from '../models/config.js';
import type { RemoteObjective } from '../objectives/remote.js';
import type { ScoreObjective } from '../objectives/scores.js';
import type { Synset } from '../wordnet/graph.js';
import type { Fit } from '../render/geometry.js';

/** IG baseline by measurement (docs/ig-baseline.md): a blurred copy beat black on deletion and insertion. */
export const DEFAULT_IG_BASELINE = 'blur';

/** Default noise σ for models with float inputs, in 8-bit grey levels (converted per model). See docs/results.md. */
export const DEFAULT_SIGMA_GREY_LEVELS = 0.05;

/**
 * Blockwise's default σ on score models (ONNX files), in grey levels, chosen on the tune half (docs/ig-sweep.md):
 * against 0.05, σ 20–40 raised SqueezeNet's IG insertion by +0.025 ± 0.010 (7/10 photos) and never hurt deletion;
 * on MobileNet v3-small a tie. Functions and remote models keep their own defaults (not measured here).
 */
export const BLOCKWISE_SIGMA_GREY_LEVELS = 20;

/** The default σ of a score model, in grey levels, for a gradient source. */
export function scoreModelSigmaGreyLevels(gradient: unknown): number {
  return gradient === 'blockwise' ? BLOCKWISE_SIGMA_GREY_LEVELS : DEFAULT_SIGMA_GREY_LEVELS;
}

/**
 * Defaults for remote black boxes, measured on hard labels (docs/hard-label.md): noise must flip a confident
 * label now and then, and stay far above the PNG's 1-grey-level rounding, so σ is large; large blocks (half the
 * image side) flip labels where plain LR over the whole image gave maps no better than random at ≤ 1000 queries.
 */
export const REMOTE_SIGMA_GREY_LEVELS = 48;
export const REMOTE_BLOCK = 0.5;

/** The semantic objective's question when none is given. */
export const DEFAULT_QUESTION = 'What is in this image? Answer in a few words.';

export type GradientName = BlackBoxGradientName | 'backprop';

export interface ExplainOptions {
  /** A method name, or any AttributionMethod (then `gradient` and the method settings below are not used). */
  method?: MethodName | AttributionMethod;
  /**
   * lr, blockwise, focused, backprop (the exact gradient of the same ONNX file, for comparison), or any
   * GradientSource of your own.
   */
  gradient?: GradientName | GradientSource;
  /** Wrap the method in a noise tunnel: SmoothGrad or VarGrad over IG, vanilla, … (samples, noiseLevel). */
  tunnel?: Aggregate;
  /** For gradient 'backprop': an already loaded differentiable model (else it is built from the model file). */
  differentiable?: DifferentiableModel;
  /** Total model queries, the prediction query included (default 1000); a hard ceiling. */
  queries?: number;
  seed?: number;
  /** What f is: logit/probability/logProbability (score models), label/prompt/semantic (remote models). */
  objective?: ScoreObjective | RemoteObjective;
  /**
   * What to explain. Score models: class index, WordNet id or name (default: top-1). Remote models: a class name
   * or WordNet id (required), or for the semantic objective the target answer. Functions: not used.
   */
  target?: string | number;
  /**
   * Score models: one map per class from the queries of one run — the top K classes, or these classes. Each map
   * is byte-identical to a single-class run with the same seed and budget (explain/replay.ts); not for focused.
   */
  topK?: number;
  targets?: Array<string | number>;
  /** Noise σ in model-input units; default DEFAULT_SIGMA_GREY_LEVELS grey levels (blockwise on score models: BLOCKWISE_SIGMA_GREY_LEVELS; remote: REMOTE_SIGMA_GREY_LEVELS). */
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
  /** IG path estimate: 'steps' (default) or 'sampled' (one estimate over random path points, lr/blockwise; issue 17). */
  igPath?: IgPath;
  samples?: number;
  noiseLevel?: number;
  /** IG baseline: black, blur (σ = side/20), blur:<σ px>, mean (the photo's mean colour), expected:blur:<σ1>,<σ2>,… (mean of one IG map per baseline, budget split; issue 17) or an image path. Default blur: docs/ig-baseline.md. RISE fills masked pixels with black. */
  igBaseline?: string;
  cells?: number;
  keep?: number;
  reduction?: ChannelReduction;
  /**
   * Stop early once the map's rank order is stable: true (threshold DEFAULT_STABILITY, 0.9) or a Spearman
   * threshold in (0, 1] between the maps of the two halves of the queries; `queries` stays the ceiling
   * (explain/until-stable.ts). lr/blockwise gradient methods, one class at a time.
   */
  untilStable?: boolean | number;
  /** Score models: how the photo becomes the input: 'crop' (centre crop, default) or 'pad' (letterbox: all of it). */
  fit?: Fit;
  onProgress?: (p: LedgerProgress) => void;
  /** Cancels queries in flight (their answers are lost). */
  signal?: AbortSignal;
  /** Graceful stop: queries in flight finish, no new one starts (see QueryLedger.requestStop). */
  stopSignal?: AbortSignal;

  /** Functions: the shape of one input (CHW), required for a plain function. */
  inputShape?: Shape;
  /** Functions: how image pixels become the function's inputs (default: RGB scaled to 0..1). */
  preprocess?: PreprocessSpec;
  /** Remote models: square side of the image sent (default: the adapter's input shape). */
  size?: number;
  /** Remote models: classes ambiguous words lean to (default: the 1000 ImageNet classes). */
  classes?: readonly Synset[];
  /** Semantic objective: the question asked (default DEFAULT_QUESTION). */
  question?: string;
  /** Semantic objective: the embedding model (default: the offline GloVe vocabulary shipped in data/). */
  embeddings?: EmbeddingProvider;
}

export const EXPLAIN_DEFAULTS = {
  method: 'ig' as MethodName,
  gradient: 'blockwise' as GradientName,
  queries: 1000,
  seed: 0,
  objective: 'logit' as ScoreObjective,
  reduction: 'abs-sum' as ChannelReduction,
};
