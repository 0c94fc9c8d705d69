/**
 * Black-box model interfaces. A model is only ever queried forward: inputs in, outputs out.
 * Inputs are in model-input space, CHW per input (adapters handle layout and encoding).
 */
import type { Shape } from '../core/tensor.js';

export type ScoreKind = 'logits' | 'probabilities';

/** A classifier that returns a score per class (an ONNX file, a score API). */
export interface ScoreModel {
  readonly kind: 'scores';
  readonly inputShape: Shape;
  readonly classes: number;
  /** What `scores` returns: raw logits or probabilities. */
  readonly scoreKind: ScoreKind;
  /** Scores for `count` inputs: a Float32Array of count · classes values, row-major. */
  scores(inputs: Float32Array, count: number, signal?: AbortSignal): Promise<Float32Array>;
  /** Largest batch the model accepts in one call (1 for models with a fixed batch of 1). */
  readonly maxBatch: number;
  dispose(): Promise<void>;
}
