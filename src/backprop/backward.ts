/**
 * Reverse-mode pass over the lowered forward graph: appends, for every primitive node on the input → logits
 * path, the nodes that map output gradients to input gradients, and sums gradients of tensors used twice.
 */
import { LrsalError } from '../core/errors.js';
import { BACKWARD_RULES } from './backward-ops.js';
import type { GraphBuilder } from './graph-builder.js';
import type { LoweredForward } from './lower.js';
import { makeAttr, type OnnxNode } from './onnx-proto.js';

export class BackwardContext {
  constructor(
    readonly builder: GraphBuilder,
    private readonly variables: ReadonlySet<string>,
  ) {}

  needs(node: OnnxNode, i: number): boolean {
    return this.variables.has(node.inputs[i] ?? '');
  }

  shape(name: string): readonly number[] {
    return this.builder.shape(name);
  }

  /** Sums a gradient of a broadcast result down to the shape of the operand it came from. */
  unbroadcast(grad: string, gradShape: readonly number[], target: readonly number[]): string {
    const lead = gradShape.length - target.length;
    const axes: number[] = [];
    gradShape.forEach((d, k) => {
      if (k < lead || (target[k - lead] === 1 && d !== 1)) axes.push(k);
    });
    const b = this.builder;
    const reduced = axes.length === 0 ? grad : b.op('ReduceSum', [grad, b.int64s(axes)], [makeAttr.int('keepdims', 1)]);
    const same = gradShape.length === target.length && axes.length === 0;
    return same ? reduced : b.op('Reshape', [reduced, b.int64s(target)]);
  }
}

/** Appends the backward pass; returns the gradient of `seed`-weighted logits w.r.t. the input, if connected. */
export function appendBackward(forward: LoweredForward, logitsGradient: string): string | undefined {
  const b = forward.builder;
  const context = new BackwardContext(b, forward.variables);
  const pending = new Map<string, string[]>([[forward.logits, [logitsGradient]]]);
  const total = (name: string): string | undefined => {
    const parts = pending.get(name);
    if (!parts || parts.length === 0) return undefined;
    return parts.length === 1 ? parts[0] : b.op('Sum', parts);
  };
  const forwardNodes = b.nodes.slice(0, forward.forwardNodeCount);
  for (let k = forwardNodes.length - 1; k >= 0; k--) {
    const node = forwardNodes[k]!;
    const outputGrads = node.outputs.map(total);
    if (outputGrads.every((g) => g === undefined)) continue;
    if (!node.inputs.some((_, i) => context.needs(node, i))) continue;
    const rule = BACKWARD_RULES[node.opType];
    if (!rule) throw new LrsalError('UNSUPPORTED', `backprop: no gradient rule for ${node.opType}`);
    const inputGrads = rule(context, node, outputGrads);
    node.inputs.forEach((name, i) => {
      const grad = inputGrads[i];
      if (grad === undefined || !context.needs(node, i)) return;
      const list = pending.get(name) ?? [];
      list.push(grad);
      pending.set(name, list);
    });
  }
  return total(forward.input);
}
