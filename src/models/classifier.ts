/**
 * A ready-to-query image classifier: the ONNX model, how images become its inputs, and its class names.
 */
import { LrsalError } from '../core/errors.js';
import { imageSize, loadImage, type RgbImage } from '../io/image.js';
import { centreCropGeometry, letterboxGeometry, type Fit, type ImageGeometry } from '../render/geometry.js';
import { modelCardFor, resolvePreprocessing, type ModelCard, type PreprocessSpec } from './config.js';
import { loadLabels, numberedLabels, type ClassLabel } from './labels.js';
import type { ScoreModel } from './model.js';
import { loadOnnxModel, type OnnxModelOptions } from './onnx.js';
import { resizeShorterOf, toModelInput, type Preprocessing } from './preprocess.js';

export interface Classifier {
  readonly model: ScoreModel;
  readonly preprocessing: Preprocessing;
  readonly labels: readonly ClassLabel[];
  readonly card: ModelCard;
  /**
   * Decode an image and turn it into one model input; also returns the pixels the model sees and where they
   * sit on the photo (fit 'crop': centre crop, the default; 'pad': letterboxed, the model sees all of it).
   */
  prepare(source: string | Buffer, options?: { fit?: Fit }): Promise<{ image: RgbImage; input: Float32Array; geometry?: ImageGeometry }>;
  dispose(): Promise<void>;
}

export interface LoadClassifierOptions {
  /** A .onnx file or a model card (.json); default: the bundled SqueezeNet 1.1. */
  model?: string;
  /** Overrides the card's labels file. */
  labels?: string;
  /** Overrides fields of the card's preprocessing. */
  preprocess?: PreprocessSpec;
  outputName?: string;
  scoreKind?: OnnxModelOptions['scoreKind'];
  maxBatch?: number;
  threads?: number;
  maxPixels?: number;
  /** Called with a warning (e.g. preprocessing guessed). */
  warn?: (message: string) => void;
}

export async function loadClassifier(options: LoadClassifierOptions = {}): Promise<Classifier> {
  const { card, described } = await modelCardFor(options.model);
  const spec: PreprocessSpec = { ...card.preprocess, ...(options.preprocess ?? {}) };
  const guessed = !described && !options.preprocess?.preset && options.preprocess?.mean === undefined;
  if (guessed) spec.preset ??= 'torchvision';
  const onnxOptions: OnnxModelOptions = {
    ...(card.input ? { inputName: card.input } : {}),
    ...(options.outputName ?? card.output ? { outputName: options.outputName ?? card.output } : {}),
    ...(options.scoreKind ?? card.scoreKind ? { scoreKind: options.scoreKind ?? card.scoreKind } : {}),
    ...(card.layout ? { layout: card.layout } : {}),
    ...(spec.height ? { height: spec.height } : {}),
    ...(spec.width ? { width: spec.width } : {}),
    ...(options.maxBatch ? { maxBatch: options.maxBatch } : {}),
    ...(options.threads ? { threads: options.threads } : {}),
  };
  const model = await loadOnnxModel(card.model, onnxOptions);
  if (guessed) options.warn?.(`no model card for ${card.model}: assuming torchvision preprocessing (pass --preprocess or write a .lrsal.json card)`);
  try {
    const preprocessing = resolvePreprocessing(spec, { height: model.inputShape.height, width: model.inputShape.width });
    const labelsPath = options.labels ?? card.labels;
    const labels = labelsPath ? await loadLabels(labelsPath) : numberedLabels(model.classes);
    if (labels.length !== model.classes) {
      throw new LrsalError('INVALID_ARGUMENT', `labels file has ${labels.length} classes; the model outputs ${model.classes}`);
    }
    return {
      model,
      preprocessing,
      labels,
      card,
      async prepare(source, prepareOptions = {}) {
        const original = await imageSize(source, options.maxPixels);
        const modelSize = { width: preprocessing.width, height: preprocessing.height };
        const geometry = prepareOptions.fit === 'pad'
          ? letterboxGeometry(original, modelSize)
          : centreCropGeometry(original, modelSize, resizeShorterOf(preprocessing));
        const image = await loadImage(source, { geometry, ...(options.maxPixels ? { maxPixels: options.maxPixels } : {}), ...(options.warn ? { warn: options.warn } : {}) });
        return { image, input: toModelInput(preprocessing, image.data, image.height, image.width), geometry };
      },
      dispose: () => model.dispose(),
    };
  } catch (error) {
    await model.dispose();
    throw error;
  }
}
