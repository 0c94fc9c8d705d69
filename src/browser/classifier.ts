/**
 * A ready-to-query classifier in the browser, the same Classifier shape explain() takes in Node: an
 * onnxruntime-web model, preprocessing from a model card (or a preset), class names, and prepare() with
 * the browser's image decoders.
 */
import { LrsalError } from '../core/errors.js';
import type { Classifier } from '../models/classifier.js';
import { numberedLabels, parseLabels } from '../models/label-parsing.js';
import { modelCardSchema, resolvePreprocessing, type ModelCard, type PreprocessSpec } from '../models/model-card.js';
import { resizeShorterOf, toModelInput } from '../models/preprocess.js';
import { loadImage, type RgbImage } from './image.js';
import { loadOnnxWebModel, type WebRuntimeOptions } from './onnx-web.js';

export interface WebClassifierSource extends WebRuntimeOptions {
  /** The .onnx file's bytes and a name for messages. */
  model: Uint8Array;
  name: string;
  /** A model card's JSON (its model/labels paths are ignored: the bytes are given). */
  card?: unknown;
  /** Overrides the card's preprocessing (e.g. a preset picked on the page). */
  preprocess?: PreprocessSpec;
  /** Labels file text (ImageNet JSON, JSON list or one per line). */
  labels?: string;
  maxBatch?: number;
}

/** A browser photo (File/Blob), or an RGB crop already at the model's input size (used as is). */
export type WebImageSource = Blob | RgbImage;

export async function loadWebClassifier(source: WebClassifierSource): Promise<Classifier> {
  const card = parseCard(source.card, source.name);
  const spec: PreprocessSpec = { ...card.preprocess, ...(source.preprocess ?? {}) };
  if (!source.card && !spec.preset && spec.mean === undefined) spec.preset = 'torchvision';
  const model = await loadOnnxWebModel(source.model, source.name, {
    runtimeUrl: source.runtimeUrl,
    ...(source.threads ? { threads: source.threads } : {}),
    ...(card.input ? { inputName: card.input } : {}),
    ...(card.output ? { outputName: card.output } : {}),
    ...(card.scoreKind ? { scoreKind: card.scoreKind } : {}),
    ...(card.layout ? { layout: card.layout } : {}),
    ...(spec.height ? { height: spec.height } : {}),
    ...(spec.width ? { width: spec.width } : {}),
    ...(source.maxBatch ? { maxBatch: source.maxBatch } : {}),
  });
  try {
    const preprocessing = resolvePreprocessing(spec, { height: model.inputShape.height, width: model.inputShape.width });
    const labels = source.labels ? parseLabels(source.labels, 'labels') : numberedLabels(model.classes);
    if (labels.length !== model.classes) {
      throw new LrsalError('INVALID_ARGUMENT', `labels file has ${labels.length} classes; the model outputs ${model.classes}`);
    }
    return {
      model,
      preprocessing,
      labels,
      card,
      async prepare(input) {
        const photo = input as unknown as WebImageSource;
        const image = photo instanceof Blob ? await loadImage(photo, { resizeShorter: resizeShorterOf(preprocessing), crop: { width: preprocessing.width, height: preprocessing.height } }) : requireCrop(photo, preprocessing);
        return { image, input: toModelInput(preprocessing, image.data, image.height, image.width) };
      },
      dispose: () => model.dispose(),
    };
  } catch (error) {
    await model.dispose();
    throw error;
  }
}

function parseCard(json: unknown, name: string): ModelCard {
  if (json === undefined) return { model: name, preprocess: {} };
  const parsed = modelCardSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new LrsalError('INVALID_ARGUMENT', `model card: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return { ...parsed.data, model: name };
}

function requireCrop(image: RgbImage, size: { width: number; height: number }): RgbImage {
  if (image.width !== size.width || image.height !== size.height || image.data.length !== image.width * image.height * 3) {
    throw new LrsalError('INVALID_ARGUMENT', `decoded image is ${image.width}×${image.height}; the model takes a ${size.width}×${size.height} crop`);
  }
  return image;
}
