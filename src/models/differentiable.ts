/**
 * A model whose exact input gradient is available (white-box), for comparison with the black-box estimators
 * and as a prior. Only the interface: src/models/differentiable-onnx.ts implements it for ONNX files.
 */

export type BackpropObjective = 'logit' | 'probability' | 'logProbability';

export interface InputGradient {
  /** The objective at the input. */
  value: number;
  /** ∂objective/∂input, same layout as the model input (one image). */
  gradient: Float32Array;
  /** All class scores at the input (the logits the objective is computed from). */
  logits: Float32Array;
}

export interface DifferentiableModel {
  /** Model input shape without the batch dimension, e.g. [3, 224, 224]. */
  readonly inputShape: readonly number[];
  /** Number of classes (length of the logits). */
  readonly classCount: number;
  /** The tensor of the original model used as logits. */
  readonly logitsName: string;
  gradient(input: Float32Array, target: number, objective: BackpropObjective): Promise<InputGradient>;
  dispose(): Promise<void>;
}
