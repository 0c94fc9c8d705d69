/**
 * Lowers the input → logits part of an ONNX graph into a fixed-shape graph of primitive operators (opset
 * 17 semantics, batch 1). Composite operators (BatchNormalization, Gemm, HardSwish, LayerNormalization,
 * Gelu, opset < 13 Softmax) become primitives, so the backward pass needs rules for primitives only.
 */
import { LrsalError } from '../core/errors.js';
import { GraphBuilder } from './graph-builder.js';
import { LOWERING_RULES } from './lower-ops.js';
import { DataType, type OnnxProto, type OnnxNode, type Tensor } from './onnx-proto.js';
import type { ProbedTensor } from './probed.js';

/** Operators whose outputs depend on an input's shape only, never on its values. */
const SHAPE_ONLY_OPS = new Set(['Shape', 'Size']);

export interface LoweredForward {
  readonly builder: GraphBuilder;
  /** Lowered name of the model input and of the logits tensor. */
  readonly input: string;
  readonly logits: string;
  /** Number of forward nodes (the backward pass appends after them). */
  readonly forwardNodeCount: number;
  /** Lowered tensors that depend on the input's values. */
  readonly variables: ReadonlySet<string>;
}

export class LowerContext {
  constructor(
    readonly builder: GraphBuilder,
    readonly opset: number,
    private readonly names: Map<string, string>,
    private readonly constants: (name: string) => Tensor | undefined,
    private readonly probed: Map<string, ProbedTensor>,
    readonly node: OnnxNode,
  ) {}

  /** Lowered name of input `i` ('' when the optional input is absent). */
  x(i: number): string {
    const name = this.node.inputs[i] ?? '';
    if (name === '') return '';
    const lowered = this.names.get(name);
    if (lowered !== undefined) return lowered;
    const value = this.constants(name);
    if (!value) throw new LrsalError('MODEL_INVALID', `tensor ${name} (input of ${this.node.opType}) has no value`);
    return this.builder.addInitializer(name, value);
  }

  has(i: number): boolean {
    return (this.node.inputs[i] ?? '') !== '';
  }

  /** The value of a constant input; an input that depends on the image is an unsupported use. */
  constant(i: number): Tensor {
    const name = this.node.inputs[i] ?? '';
    const value = this.names.has(name) ? undefined : this.constants(name);
    if (!value) throw this.unsupported(`input ${i} must be a constant`);
    return value;
  }

  constantNumbers(i: number): number[] {
    const t = this.constant(i);
    return t.ints ? [...t.ints] : Array.from(t.floats ?? []);
  }

  inShape(i: number): readonly number[] {
    return this.shapeOf(this.node.inputs[i] ?? '');
  }

  outShape(i: number): readonly number[] {
    return this.shapeOf(this.node.outputs[i] ?? '');
  }

  private shapeOf(name: string): readonly number[] {
    const known = this.probed.get(name)?.dims ?? this.constants(name)?.dims;
    if (!known) throw new LrsalError('MODEL_INVALID', `no shape known for tensor ${name}`);
    return known;
  }

  unsupported(detail: string): LrsalError {
    return new LrsalError('UNSUPPORTED', `backprop: ${this.node.opType} (node ${this.node.name || this.node.outputs[0]}): ${detail}`);
  }
}

export function lowerForward(
  model: OnnxProto,
  probed: Map<string, ProbedTensor>,
  inputName: string,
  logitsName: string,
): LoweredForward {
  const graph = model.graph;
  const opset = model.opsets.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 1;
  const initializers = new Map(graph.initializers.map((t) => [t.name, t]));
  const producers = new Map<string, OnnxNode>();
  for (const node of graph.nodes) for (const o of node.outputs) if (o) producers.set(o, node);

  // Which tensors depend on the input's values: floats are differentiated, the rest are "tainted".
  const variable = new Set([inputName]);
  const tainted = new Set<string>();
  for (const node of graph.nodes) {
    if (SHAPE_ONLY_OPS.has(node.opType) || !node.inputs.some((i) => variable.has(i))) continue;
    for (const o of node.outputs) {
      if (!o) continue;
      if (probed.get(o)?.dataType === DataType.FLOAT) variable.add(o);
      else tainted.add(o);
    }
  }
  if (!variable.has(logitsName)) {
    throw new LrsalError('MODEL_INVALID', `tensor ${logitsName} does not depend on the input ${inputName}`);
  }

  // Keep the nodes that lie on a path from the input to the logits.
  const needed = new Set<OnnxNode>();
  const stack = [logitsName];
  const seen = new Set<string>();
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const node = producers.get(name);
    if (!node || !variable.has(name)) continue;
    needed.add(node);
    for (const i of node.inputs) if (variable.has(i)) stack.push(i);
  }

  const builder = new GraphBuilder();
  const names = new Map<string, string>([[inputName, inputName]]);
  builder.shapes.set(inputName, probedDims(probed, inputName));
  const constants = (name: string): Tensor | undefined => initializers.get(name) ?? probedConstant(probed, name, variable);
  for (const node of graph.nodes) {
    if (!needed.has(node)) continue;
    const context = new LowerContext(builder, opset, names, constants, probed, node);
    for (const i of node.inputs) if (tainted.has(i)) throw context.unsupported(`input ${i} depends on the image values but is not a float tensor`);
    if (node.domain !== '' && node.domain !== 'ai.onnx') throw context.unsupported(`operator domain ${node.domain}`);
    const rule = LOWERING_RULES[node.opType];
    if (!rule) throw context.unsupported('operator not supported');
    const outputs = rule(context);
    node.outputs.forEach((o, k) => {
      const lowered = outputs[k];
      if (o && lowered !== undefined && variable.has(o)) names.set(o, lowered);
    });
  }
  const logits = names.get(logitsName);
  if (!logits) throw new LrsalError('MODEL_INVALID', `could not lower the graph up to ${logitsName}`);

  return { builder, input: inputName, logits, forwardNodeCount: builder.nodes.length, variables: forwardVariables(builder, inputName) };
}

function probedDims(probed: Map<string, ProbedTensor>, name: string): readonly number[] {
  const dims = probed.get(name)?.dims;
  if (!dims) throw new LrsalError('MODEL_INVALID', `no shape known for tensor ${name}`);
  return dims;
}

function probedConstant(probed: Map<string, ProbedTensor>, name: string, variable: Set<string>): Tensor | undefined {
  const value = probed.get(name);
  if (!value || variable.has(name)) return undefined;
  if (value.dataType === DataType.DOUBLE) return { ...value, dataType: DataType.FLOAT };
  return value;
}

/** Lowered tensors that carry gradient: outputs of nodes with a variable input (MaxPool indices excepted). */
function forwardVariables(builder: GraphBuilder, input: string): Set<string> {
  const variables = new Set([input]);
  for (const node of builder.nodes) {
    if (!node.inputs.some((i) => variables.has(i))) continue;
    const count = node.opType === 'MaxPool' ? 1 : node.outputs.length;
    for (const o of node.outputs.slice(0, count)) variables.add(o);
  }
  return variables;
}
