/** What a stand-in server does with an image it receives: decode it, run the classifier, rank the classes. */
import sharp from 'sharp';
import { loadImage } from '../io/image.js';
import type { Classifier } from '../models/classifier.js';
import { toModelInput } from '../models/preprocess.js';
import { probabilities, topK } from '../objectives/scores.js';

export interface RankedClass {
  index: number;
  name: string;
  wnid?: string;
  probability: number;
}

/** Runs one model call at a time (onnxruntime sessions are not shared across concurrent requests here). */
export class ImageClassifierService {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly classifier: Classifier) {}

  /** Top-k classes of each encoded image (PNG, JPEG, WebP), in order. */
  async rank(images: Buffer[], k: number): Promise<RankedClass[][]> {
    const inputs = await Promise.all(images.map((image) => this.toInput(image)));
    const run = this.queue.then(() => this.scoreAll(inputs, k));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * An image already at the model's input size is used pixel for pixel (no resize + crop round trip), so a
   * client sending model-sized images controls exactly what the model sees; any other size is preprocessed.
   */
  private async toInput(image: Buffer): Promise<Float32Array> {
    const { preprocessing: p } = this.classifier;
    const meta = await sharp(image).metadata().catch(() => undefined);
    if (meta && meta.width === p.width && meta.height === p.height && !(meta.orientation && meta.orientation > 1)) {
      const rgb = await loadImage(image);
      return toModelInput(p, rgb.data, rgb.height, rgb.width);
    }
    return (await this.classifier.prepare(image)).input;
  }

  private async scoreAll(inputs: Float32Array[], k: number): Promise<RankedClass[][]> {
    const { model, labels } = this.classifier;
    const size = inputs[0]?.length ?? 0;
    const batch = new Float32Array(size * inputs.length);
    inputs.forEach((input, i) => batch.set(input, i * size));
    const scores = await model.scores(batch, inputs.length);
    return inputs.map((_, i) => {
      const probs = probabilities(model.scoreKind, scores, i * model.classes, model.classes);
      return topK(probs, k).map((index) => {
        const label = labels[index]!;
        return { index, name: label.name, probability: probs[index]!, ...(label.wnid ? { wnid: label.wnid } : {}) };
      });
    });
  }
}
