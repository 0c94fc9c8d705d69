/**
 * The one thing every gradient source and method needs from a black box: a scalar function f on model
 * inputs, evaluated in batches. Models and objectives are composed into one of these (see objectives/).
 */
import type { Shape } from './tensor.js';

export interface BatchFunction {
  /** Shape of one input, in model-input space (CHW). */
  readonly shape: Shape;
  /**
   * f for `count` inputs laid out back to back in `inputs` (count · C·H·W values).
   * Resolves to one finite value per input; rejects with an LrsalError on any failure.
   */
  evaluate(inputs: Float32Array, count: number, signal?: AbortSignal): Promise<Float64Array>;
}
