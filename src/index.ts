/**
 * lrsal: gradient-based saliency maps for black-box image models, from forward queries only.
 *
 * High level: `explain(blackBox, image, options)`, where the black box is a loaded classifier
 * (`loadClassifier()`), a remote label or text model (`visionApiModel`, `httpJsonModel`, `openAiChatModel`), or
 * any function `(inputs, count) => scores` with its `inputShape`. Lower level: a `BatchFunction` (any batched
 * scalar function of model inputs) fed to a `GradientSource` (likelihoodRatio, blockwise, focused, or your own)
 * inside an `AttributionMethod` (vanillaGradient, integratedGradients, rise; noiseTunnel wraps any of them).
 * Test doubles (stand-in model servers) and QA data live in `lrsal/testing`.
 */
export type { BatchFunction } from './core/batch-function.js';
export { LrsalError, BudgetExceededError, type LrsalErrorCode } from './core/errors.js';
export { QueryLedger, metered, splitBudget, type LedgerProgress } from './core/ledger.js';
export { Rng } from './core/rng.js';
export { cosine, sizeOf, type Shape, type Tensor3 } from './core/tensor.js';

export type { ScoreModel, ScoreKind } from './models/model.js';
export { loadOnnxModel, type OnnxModel, type OnnxModelOptions } from './models/onnx.js';
export { loadClassifier, type Classifier, type LoadClassifierOptions } from './models/classifier.js';
export { readModelCard, type ModelCard, type PreprocessSpec } from './models/config.js';
export { loadLabels, parseLabels, type ClassLabel } from './models/labels.js';
export { PREPROCESSING_PRESETS, toModelInput, toPixels, blackInput, type Preprocessing } from './models/preprocess.js';
export { loadImage, encodePng, blurImage, type RgbImage } from './io/image.js';

export { scoreFunction, scoreValue, probabilities, topK, SCORE_OBJECTIVES, type ScoreObjective } from './objectives/scores.js';
export { resolveTarget, type ResolvedTarget } from './objectives/target.js';

export type { GradientSource, GradientRequest, GradientEstimate } from './gradients/gradient-source.js';
export { likelihoodRatio, LR_DEFAULTS, type LikelihoodRatioOptions } from './gradients/likelihood-ratio.js';
export { blockwise, blockSampler, BLOCKWISE_DEFAULTS, type BlockwiseOptions } from './gradients/blockwise.js';
export { focused, FOCUSED_DEFAULTS, type FocusedOptions } from './gradients/focused.js';
export { createGradientSource, BLACK_BOX_GRADIENTS, GRADIENT_DEFAULTS, type GradientSettings } from './gradients/registry.js';
export { NOISE_SHAPES, noiseLayout, projectOntoNoise, type NoiseShape } from './gradients/noise-shapes.js';
export { priorGuided, PRIOR_QUERIES, type PriorDirection } from './gradients/prior-guided.js';
export { surrogatePrior } from './models/surrogate-prior.js';

export type { AttributionMethod, AttributionRequest, Attribution } from './methods/attribution.js';
export { vanillaGradient } from './methods/vanilla.js';
export { noiseTunnel, NOISE_TUNNEL_DEFAULTS, type NoiseTunnelOptions } from './methods/noise-tunnel.js';
export { integratedGradients, IG_DEFAULTS, type IntegratedGradientsOptions } from './methods/integrated-gradients.js';
export { rise, RISE_DEFAULTS, type RiseOptions } from './methods/rise.js';
export { reduceChannels, CHANNEL_REDUCTIONS, type ChannelReduction } from './methods/channel-reduction.js';
export { createMethod, METHODS, type MethodName } from './methods/registry.js';
// Per-pixel standard errors from the same queries (issue 12 §4).
export { mapUncertainty, mapStandardErrorOf, signalToNoise, type MapUncertainty, type SignalToNoise } from './methods/map-uncertainty.js';
export { standardErrors, type ChannelCovariance } from './gradients/standard-error.js';

export { renderOverlay, renderHeatmap } from './render/overlay.js';
export { encodeNpy, decodeNpy } from './render/npy.js';
// Pictures at the photo's own size (figure sheets, signed maps, clipping) and the crop geometry (issue 12).
export { mapToOriginal, mapToModel, centreCropGeometry, letterboxGeometry, coverage, FITS, type Fit, type ImageGeometry } from './render/geometry.js';
export { renderFigureSheetPng, renderOverlayPng, DISPLAY_DEFAULTS, type DisplayOptions, type PictureSource } from './render/pictures.js';
export { scaleForDisplay, smoothForDisplay, SIGNS, type SignMode } from './render/scaling.js';
export { COLORMAPS, type ColormapName } from './render/colormaps.js';

export {
  explain,
  explainRemote,
  greyLevel,
  EXPLAIN_DEFAULTS,
  DEFAULT_SIGMA_GREY_LEVELS,
  DEFAULT_IG_BASELINE,
  REMOTE_SIGMA_GREY_LEVELS,
  REMOTE_BLOCK,
  DEFAULT_QUESTION,
  DEFAULT_STABILITY,
  type StabilityReport,
  type ExplainOptions,
  type Explanation,
  type BlackBox,
  type ScoreFunction,
  type ExplainedTarget,
  type Prediction,
  type ImageInput,
  type QueryStats,
  type GradientName,
  type RemoteExplainOptions,
  type RemoteExplanation,
} from './explain/index.js';

// Remote black boxes (labels, text) and what f is for them.
export type { LabelModel, TextModel, LabelAnswer, RemoteStats, RemoteLabelModel, RemoteTextModel } from './models/remote/types.js';
export { visionApiModel, type VisionApiOptions } from './models/remote/vision-api.js';
export { httpJsonModel, type HttpJsonOptions } from './models/remote/http-json.js';
export { openAiChatModel, type OpenAiChatOptions } from './models/remote/openai-chat.js';
export { REMOTE_DEFAULTS, type RemoteOptions } from './models/remote/options.js';
export { labelFunction, promptFunction, semanticFunction, resolveTargetSynset, REMOTE_OBJECTIVES, type RemoteObjective } from './objectives/remote.js';
export { ANSWER_PROMPT, parseAnswer } from './objectives/answer-parsing.js';
export { wordnetObjective, multiLabelObjective, answerObjective, UNKNOWN_PREDICTION_DISTANCE } from './objectives/wordnet-distance.js';
export { embedTarget, semanticObjective, semanticObjectives, UNKNOWN_ANSWER_SCORE } from './objectives/semantic.js';
export * from './embeddings/index.js';
export { DEFAULT_EMBEDDINGS_ENDPOINT, openAiEmbeddings, type OpenAiEmbeddingOptions, type OpenAiEmbeddingProvider } from './models/remote/openai-embeddings.js';
export * from './wordnet/index.js';

// Exact gradients (for comparison) and evaluation.
export { loadDifferentiableModel } from './models/differentiable-onnx.js';
export type { DifferentiableModel, BackpropObjective, InputGradient } from './models/differentiable.js';
export { backpropSource } from './gradients/backprop.js';
export { spearman, isotropicBound } from './metrics/similarity.js';
export { pixelCurve, auc, saliencyOrder } from './metrics/deletion-insertion.js';

// Adversarial evaluations (issue 15): hard-label attacks and the saliency-guided transfer attack, in pixel space.
export { runHardLabelAttack, summarize, zeroOneSignal, RMSE_THRESHOLDS, type HardLabelAttack, type AttackOutcome, type AttackSummary } from './attacks/hard-label.js';
export { estimatedMiFgsm, ESTIMATED_MI_FGSM_DEFAULTS } from './attacks/estimated-mi-fgsm.js';
export { hopSkipJump } from './attacks/hsja.js';
export { signOpt } from './attacks/sign-opt.js';
export { classifierHardLabel, topClassOracle, fromByteScale } from './attacks/label-oracles.js';
export { momentumAttack, surrogateAttributor, MIG_DEFAULTS } from './attacks/transfer.js';
export { pixelMap, rmse, quantize } from './attacks/pixels.js';
export { aopc, morfMinusLerf } from './metrics/curve-scores.js';
export { randomMap, centrePriorMap, blurDifferenceMap, REFERENCE_MAPS } from './metrics/reference-maps.js';
export { sanityCheck, type SanityReport, type SanityRow } from './sanity/sanity-check.js';
