/**
 * lrsal: gradient-based saliency maps for black-box image models, from forward queries only.
 *
 * High level: `loadClassifier()` + `explain()`. Lower level: a `BatchFunction` (any batched scalar
 * function of model inputs) fed to a `GradientSource` (likelihoodRatio, blockwise) inside an
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
export { createGradientSource, BLACK_BOX_GRADIENTS, type GradientSettings } from './gradients/registry.js';

export type { AttributionMethod, AttributionRequest, Attribution } from './methods/attribution.js';
export { vanillaGradient } from './methods/vanilla.js';
export { noiseTunnel, NOISE_TUNNEL_DEFAULTS, type NoiseTunnelOptions } from './methods/noise-tunnel.js';
export { integratedGradients, IG_DEFAULTS, type IntegratedGradientsOptions } from './methods/integrated-gradients.js';
export { rise, RISE_DEFAULTS, type RiseOptions } from './methods/rise.js';
export { reduceChannels, CHANNEL_REDUCTIONS, type ChannelReduction } from './methods/channel-reduction.js';
export { createMethod, METHODS, type MethodName } from './methods/registry.js';

export { renderOverlay, renderHeatmap } from './render/overlay.js';
export { encodeNpy, decodeNpy } from './render/npy.js';

export { explain, EXPLAIN_DEFAULTS, DEFAULT_SIGMA_GREY_LEVELS, type ExplainOptions, type Explanation } from './explain.js';
