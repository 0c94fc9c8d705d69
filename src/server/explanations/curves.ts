/**
 * Deletion/insertion curves of a finished map, on request (RISE protocol, as `lrsal eval`): the class
 * probability while the most salient pixels are removed (set to zero in model-input space) or put back into a
 * blurred copy. Costs model evaluations (2 × (steps + 1)), not map budget; computed once per job and kept.
 */
import { blurImage } from '../../io/image.js';
import { pixelCurve, type Curve } from '../../metrics/deletion-insertion.js';
import type { Classifier } from '../../models/classifier.js';
import { toModelInput } from '../../models/preprocess.js';
import { scoreFunction } from '../../objectives/scores.js';

export interface Curves {
  target: number;
  /** Pixels changed per step. */
  pixelsPerStep: number;
  deletion: Curve;
  insertion: Curve;
}

export async function deletionInsertionCurves(classifier: Classifier, image: Buffer, map: Float32Array, target: number): Promise<Curves> {
  const { input: x, image: rgb } = await classifier.prepare(image);
  const probability = scoreFunction(classifier.model, 'probability', target);
  const blurred = await blurImage(rgb, Math.max(rgb.width, rgb.height) / 20);
  const blurredInput = toModelInput(classifier.preprocessing, blurred.data, blurred.height, blurred.width);
  const deletion = await pixelCurve(probability, x, new Float32Array(x.length), map);
  const insertion = await pixelCurve(probability, blurredInput, x, map);
  return { target, pixelsPerStep: rgb.width, deletion, insertion };
}
