/**
 * Exact input gradients of ONNX image classifiers ("backprop"), the reference the gradient-free saliency
 * estimators are measured against. The model file is compiled (src/backprop, pure) into a second ONNX graph
 * that computes the forward pass and its reverse-mode gradient; this adapter runs that graph in onnxruntime.
 */
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { invalidArgument, LrsalError } from '../core/errors.js';
import { buildGradientGraph, GRADIENT_IO } from '../backprop/gradient-graph.js';
import { decodeModel } from '../backprop/onnx-proto.js';
import type { BackpropObjective, DifferentiableModel } from './differentiable.js';
import { probeModel } from './onnx-probe.js';

export type { BackpropObjective, DifferentiableModel, InputGradient } from './differentiable.js';

export interface BackpropOptions {
  /** Model input to differentiate (default: the first graph input that is not a weight). */
  inputName?: string;
  /** Tensor holding the class scores (default: the input of the Softmax ending the first output, else that output). */
  logitsOutput?: string;
  /** Input shape without the batch dimension, for models whose declared input shape is not fixed. */
  inputShape?: readonly number[];
  /** onnxruntime intra-op threads (default 2). */
  threads?: number;
}

const OBJECTIVE_WEIGHTS: Record<BackpropObjective, readonly [number, number, number]> = {
  logit: [1, 0, 0],
  logProbability: [0, 1, 0],
  probability: [0, 0, 1],
};

export async function loadDifferentiableModel(onnxPath: string, options: BackpropOptions = {}): Promise<DifferentiableModel> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(onnxPath);
  } catch (error) {
    throw new LrsalError('FILE_NOT_FOUND', `cannot read model ${onnxPath}`, { cause: error });
  }
  return differentiableModelFromBytes(bytes, options);
}

export async function differentiableModelFromBytes(bytes: Uint8Array, options: BackpropOptions = {}): Promise<DifferentiableModel> {
  let model;
  try {
    model = decodeModel(bytes);
  } catch (error) {
    throw new LrsalError('MODEL_INVALID', `not a readable ONNX model: ${(error as Error).message}`, { cause: error });
  }
  const graph = await buildGradientGraph(bytes, model, options, probeModel);
  const session = await ort.InferenceSession.create(graph.bytes, { intraOpNumThreads: options.threads ?? 2 });
  const inputSize = graph.inputDims.reduce((a, b) => a * b, 1);
  const classCount = graph.classCount;

  return {
    inputShape: graph.inputDims.slice(1),
    classCount,
    logitsName: graph.logitsName,
    async gradient(input, target, objective) {
      if (input.length !== inputSize) throw invalidArgument(`input has ${input.length} values, the model takes ${inputSize}`);
      if (!Number.isInteger(target) || target < 0 || target >= classCount) {
        throw new LrsalError('UNKNOWN_TARGET', `target class ${target} is not in 0..${classCount - 1}`);
      }
      const weights = OBJECTIVE_WEIGHTS[objective];
      if (!weights) throw invalidArgument(`unknown objective ${String(objective)}`);
      const onehot = new Float32Array(classCount);
      onehot[target] = 1;
      const results = await session.run({
        [graph.inputName]: new ort.Tensor('float32', input, graph.inputDims),
        [GRADIENT_IO.onehot]: new ort.Tensor('float32', onehot, [1, classCount]),
        [GRADIENT_IO.weights]: new ort.Tensor('float32', Float32Array.from(weights), [1, 3]),
      });
      const logits = results[GRADIENT_IO.logits]!.data as Float32Array;
      const gradient = results[GRADIENT_IO.gradient]!.data as Float32Array;
      return { value: objectiveValue(logits, target, objective), gradient, logits };
    },
    async dispose() {
      await session.release();
    },
  };
}

/** The objective from the logits, in double precision (log-softmax via log-sum-exp). */
export function objectiveValue(logits: ArrayLike<number>, target: number, objective: BackpropObjective): number {
  const z = logits[target]!;
  if (objective === 'logit') return z;
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i]! - max);
  const logProbability = z - max - Math.log(sum);
  return objective === 'logProbability' ? logProbability : Math.exp(logProbability);
}
