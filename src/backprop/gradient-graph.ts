/**
 * Builds one ONNX model that computes, for a single image, the logits and the input gradient of an objective
 * chosen at run time: the seed on the logits is w₀·onehot + w₁·(onehot − p) + w₂·p_t·(onehot − p), which is the
 * gradient of the logit, the log-probability and the probability of the target class for w = e₀, e₁, e₂.
 */
import { LrsalError } from '../core/errors.js';
import { appendBackward } from './backward.js';
import { numel, TARGET_OPSET } from './graph-builder.js';
import { lowerForward } from './lower.js';
import { DataType, encodeModel, makeAttr, type OnnxProto, type OnnxNode } from './onnx-proto.js';
import type { ModelProbe } from './probed.js';

export const GRADIENT_IO = {
  onehot: 'lrsal_onehot',
  weights: 'lrsal_objective_weights',
  logits: 'lrsal_logits',
  gradient: 'lrsal_input_gradient',
} as const;

export interface GradientGraph {
  readonly bytes: Uint8Array;
  readonly inputName: string;
  /** Model input shape including the batch dimension of 1. */
  readonly inputDims: readonly number[];
  readonly classCount: number;
  readonly logitsName: string;
}

export interface GradientGraphOptions {
  inputName?: string;
  logitsOutput?: string;
  inputShape?: readonly number[];
}

/** Operators that only rearrange or pass values on; looked through when searching for a final Softmax. */
const LAYOUT_OPS = new Set(['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Identity', 'Dropout']);

export function chooseInput(model: OnnxProto, requested?: string): { name: string; dims: (number | string)[] } {
  const initializers = new Set(model.graph.initializers.map((t) => t.name));
  const inputs = model.graph.inputs.filter((i) => !initializers.has(i.name));
  const input = requested ? inputs.find((i) => i.name === requested) : inputs[0];
  if (!input) throw new LrsalError('MODEL_INVALID', requested ? `model has no input named ${requested}` : 'model has no input');
  return { name: input.name, dims: [...(input.shape ?? [])] };
}

/** The logits: an explicit tensor, else the input of the Softmax that ends the first output, else that output. */
export function chooseLogits(model: OnnxProto, requested?: string): string {
  if (requested) return requested;
  const producers = new Map<string, OnnxNode>();
  for (const node of model.graph.nodes) for (const o of node.outputs) producers.set(o, node);
  const output = model.graph.outputs[0];
  if (!output) throw new LrsalError('MODEL_INVALID', 'model has no output');
  let name = output.name;
  for (let node = producers.get(name); node; node = producers.get(name)) {
    if (node.opType === 'Softmax' || node.opType === 'LogSoftmax') return node.inputs[0]!;
    if (!LAYOUT_OPS.has(node.opType)) break;
    name = node.inputs[0]!;
  }
  return output.name;
}

function resolveInputDims(declared: readonly (number | string)[], override?: readonly number[]): number[] {
  if (override) return [1, ...override];
  const dims = declared.map((d, k) => (k === 0 ? 1 : d));
  if (dims.length === 0 || dims.some((d) => typeof d !== 'number' || d <= 0)) {
    throw new LrsalError('MODEL_SHAPE', `model input shape [${declared.join(',')}] is not fixed; pass inputShape`);
  }
  return dims as number[];
}

/** `probe` runs the model once to learn every tensor's shape (onnxruntime does it: src/models/onnx-probe.ts). */
export async function buildGradientGraph(modelBytes: Uint8Array, model: OnnxProto, options: GradientGraphOptions, probeModel: ModelProbe): Promise<GradientGraph> {
  const input = chooseInput(model, options.inputName);
  const inputDims = resolveInputDims(input.dims, options.inputShape);
  const logitsName = chooseLogits(model, options.logitsOutput);
  const probed = await probeModel(modelBytes, model, input.name, inputDims);
  probed.set(input.name, { dims: inputDims, dataType: DataType.FLOAT });
  if (!probed.has(logitsName)) throw new LrsalError('MODEL_OUTPUT', `model has no tensor named ${logitsName}`);

  const forward = lowerForward(model, probed, input.name, logitsName);
  const b = forward.builder;
  const classCount = numel(b.shape(forward.logits));
  const row = [1, classCount];
  const logits = b.op('Reshape', [forward.logits, b.int64s(row)], [], row);
  const probabilities = b.op('Softmax', [logits], [makeAttr.int('axis', 1)]);
  const residual = b.op('Sub', [GRADIENT_IO.onehot, probabilities]);
  const targetProbability = b.op('ReduceSum', [b.op('Mul', [probabilities, GRADIENT_IO.onehot]), b.int64s([1])], [makeAttr.int('keepdims', 1)]);
  const candidates = b.op('Concat', [GRADIENT_IO.onehot, residual, b.op('Mul', [residual, targetProbability])], [makeAttr.int('axis', 0)]);
  const seed = b.op('MatMul', [GRADIENT_IO.weights, candidates]);
  const seedOnLogits = b.op('Reshape', [seed, b.int64s(b.shape(forward.logits))]);

  // The backward pass walks the forward nodes only, so the objective head above is not differentiated.
  const gradient = appendBackward(forward, seedOnLogits);
  if (!gradient) throw new LrsalError('MODEL_INVALID', `the logits ${logitsName} do not depend on the input ${input.name}`);
  b.nodes.push(identity(logits, GRADIENT_IO.logits), identity(gradient, GRADIENT_IO.gradient));

  const floatInput = (name: string, shape: readonly number[]) => ({ name, elemType: DataType.FLOAT, shape });
  const bytes = encodeModel({
    irVersion: 8,
    opsets: [{ domain: '', version: TARGET_OPSET }],
    graph: {
      name: 'lrsal_backprop',
      nodes: b.nodes,
      initializers: b.initializers,
      inputs: [floatInput(input.name, inputDims), floatInput(GRADIENT_IO.onehot, row), floatInput(GRADIENT_IO.weights, [1, 3])],
      outputs: [floatInput(GRADIENT_IO.logits, row), floatInput(GRADIENT_IO.gradient, inputDims)],
    },
  });
  return { bytes, inputName: input.name, inputDims, classCount, logitsName };
}

function identity(from: string, to: string): OnnxNode {
  return { opType: 'Identity', domain: '', name: to, inputs: [from], outputs: [to], attributes: [] };
}
