/**
 * lrsal: gradient-based saliency maps for black-box image models, from forward queries only.
 *
 * High level: `loadClassifier()` + `explain()`. Lower level: a `BatchFunction` (any batched scalar
 * function of model inputs) fed to a `GradientSource` (likelihoodRatio, blockwise, focused) inside an
 * `AttributionMethod` (vanillaGradient, noiseTunnel → SmoothGrad/VarGrad, integratedGradients, rise).
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
export { priorGuided, surrogatePrior, PRIOR_QUERIES, type PriorDirection } from './gradients/prior-guided.js';

export type { AttributionMethod, AttributionRequest, Attribution } from './methods/attribution.js';
export { vanillaGradient } from './methods/vanilla.js';
export { noiseTunnel, NOISE_TUNNEL_DEFAULTS, type NoiseTunnelOptions } from './methods/noise-tunnel.js';
export { integratedGradients, IG_DEFAULTS, type IntegratedGradientsOptions } from './methods/integrated-gradients.js';
export { rise, RISE_DEFAULTS, type RiseOptions } from './methods/rise.js';
export { reduceChannels, CHANNEL_REDUCTIONS, type ChannelReduction } from './methods/channel-reduction.js';
export { createMethod, METHODS, type MethodName } from './methods/registry.js';

export { renderOverlay, renderHeatmap } from './render/overlay.js';
export { encodeNpy, decodeNpy } from './render/npy.js';
// Pictures at the photo's own size (figure sheets, signed maps, clipping) and the crop geometry (issue 12).
export { mapToOriginal, mapToModel, centreCropGeometry, letterboxGeometry, coverage, FITS, type Fit, type ImageGeometry } from './render/geometry.js';
export { renderFigureSheetPng, renderOverlayPng, DISPLAY_DEFAULTS, type DisplayOptions, type PictureSource } from './render/pictures.js';
export { scaleForDisplay, smoothForDisplay, SIGNS, type SignMode } from './render/scaling.js';
export { COLORMAPS, type ColormapName } from './render/colormaps.js';

export { explain, EXPLAIN_DEFAULTS, DEFAULT_SIGMA_GREY_LEVELS, type ExplainOptions, type Explanation } from './explain.js';

// Remote black boxes (labels, text) and what f is for them.
export type { LabelModel, TextModel, LabelAnswer, RemoteStats, RemoteLabelModel, RemoteTextModel } from './models/remote/types.js';
export { visionApiModel, type VisionApiOptions } from './models/remote/vision-api.js';
export { httpJsonModel, type HttpJsonOptions } from './models/remote/http-json.js';
export { openAiChatModel, type OpenAiChatOptions } from './models/remote/openai-chat.js';
export { REMOTE_DEFAULTS, type RemoteOptions } from './models/remote/options.js';
export { startStandInServer, type StandInOptions, type StandInServer } from './server/stand-in.js';
export { labelFunction, promptFunction, semanticFunction, resolveTargetSynset, REMOTE_OBJECTIVES, type RemoteObjective } from './objectives/remote.js';
export { ANSWER_PROMPT, parseAnswer } from './objectives/answer-parsing.js';
export { wordnetObjective, multiLabelObjective, answerObjective, UNKNOWN_PREDICTION_DISTANCE } from './objectives/wordnet-distance.js';
export { embedTarget, semanticObjective, semanticObjectives, UNKNOWN_ANSWER_SCORE } from './objectives/semantic.js';
export * from './embeddings/index.js';
export * from './wordnet/index.js';
export { explainRemote, REMOTE_SIGMA_GREY_LEVELS, DEFAULT_QUESTION, type RemoteExplainOptions, type RemoteExplanation } from './remote-explain.js';

// Exact gradients (for comparison) and evaluation.
export { loadDifferentiableModel, type DifferentiableModel, type BackpropObjective } from './backprop/index.js';
export { backpropSource } from './gradients/backprop.js';
export { spearman, isotropicBound } from './metrics/similarity.js';
export { pixelCurve, auc, saliencyOrder } from './metrics/deletion-insertion.js';
export { aopc, morfMinusLerf } from './metrics/curve-scores.js';
export { randomMap, centrePriorMap, blurDifferenceMap, REFERENCE_MAPS } from './metrics/reference-maps.js';
export { sanityCheck, type SanityReport, type SanityRow } from './sanity/sanity-check.js';
