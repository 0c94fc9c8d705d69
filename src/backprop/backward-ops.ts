/** Vector–Jacobian products of the primitive operators the lowering emits (opset 17 semantics, static shapes). */
import { LrsalError } from '../core/errors.js';
import type { BackwardContext } from './backward.js';
import { numel } from './graph-builder.js';
import { attr, makeAttr, type OnnxNode } from './onnx-proto.js';

/** Maps output gradients (undefined: none) to input gradients (undefined: not needed or zero). */
export type BackwardRule = (c: BackwardContext, node: OnnxNode, dy: readonly (string | undefined)[]) => (string | undefined)[];

const ints = (node: OnnxNode, name: string): readonly number[] => attr(node, name)?.ints ?? [];
const int = (node: OnnxNode, name: string, fallback: number): number => attr(node, name)?.i ?? fallback;
const float = (node: OnnxNode, name: string, fallback: number): number => attr(node, name)?.f ?? fallback;

function unsupported(detail: string): LrsalError {
  return new LrsalError('UNSUPPORTED', `backprop: ${detail}`);
}

function gradOf(dy: readonly (string | undefined)[]): string {
  const g = dy[0];
  if (g === undefined) throw new Error('internal: missing output gradient');
  return g;
}

/** dy where `cond` holds, 0 elsewhere. */
function masked(c: BackwardContext, cond: string, dy: string): string {
  return c.builder.op('Where', [cond, dy, c.builder.scalar(0)]);
}

const relu: BackwardRule = (c, n, dy) => [masked(c, c.builder.op('Greater', [n.inputs[0]!, c.builder.scalar(0)]), gradOf(dy))];

const leakyRelu: BackwardRule = (c, n, dy) => {
  const b = c.builder;
  const g = gradOf(dy);
  const positive = b.op('Greater', [n.inputs[0]!, b.scalar(0)]);
  return [b.op('Where', [positive, g, b.op('Mul', [g, b.scalar(float(n, 'alpha', 0.01))])])];
};

const clip: BackwardRule = (c, n, dy) => {
  const b = c.builder;
  const [x, lo, hi] = n.inputs as [string, string, string];
  const inside = b.op('And', [b.op('Greater', [x, lo]), b.op('Less', [x, hi])]);
  return [masked(c, inside, gradOf(dy))];
};

const hardSigmoid: BackwardRule = (c, n, dy) => {
  const b = c.builder;
  const y = n.outputs[0]!;
  const inside = b.op('And', [b.op('Greater', [y, b.scalar(0)]), b.op('Less', [y, b.scalar(1)])]);
  return [masked(c, inside, b.op('Mul', [gradOf(dy), b.scalar(float(n, 'alpha', 0.2))]))];
};

/** Unary ops whose derivative is a function of input x and output y. */
const pointwise = (derivative: (c: BackwardContext, x: string, y: string) => string): BackwardRule => (c, n, dy) => [
  c.builder.op('Mul', [gradOf(dy), derivative(c, n.inputs[0]!, n.outputs[0]!)]),
];

const sigmoid = pointwise((c, _x, y) => c.builder.op('Mul', [y, c.builder.op('Sub', [c.builder.scalar(1), y])]));
const tanh = pointwise((c, _x, y) => c.builder.op('Sub', [c.builder.scalar(1), c.builder.op('Mul', [y, y])]));
const exp = pointwise((_c, _x, y) => y);
const sqrt = pointwise((c, _x, y) => c.builder.op('Div', [c.builder.scalar(0.5), y]));
const erf = pointwise((c, x) => {
  const b = c.builder;
  const gauss = b.op('Exp', [b.op('Neg', [b.op('Mul', [x, x])])]);
  return b.op('Mul', [gauss, b.scalar(2 / Math.sqrt(Math.PI))]);
});
const neg: BackwardRule = (c, _n, dy) => [c.builder.op('Neg', [gradOf(dy)])];

/** Binary elementwise ops: `partial(i)` is the gradient w.r.t. operand i before un-broadcasting. */
const binary = (partial: (c: BackwardContext, n: OnnxNode, g: string, i: number) => string): BackwardRule => (c, n, dy) => {
  const g = gradOf(dy);
  const outShape = c.shape(n.outputs[0]!);
  return n.inputs.map((name, i) => (c.needs(n, i) ? c.unbroadcast(partial(c, n, g, i), outShape, c.shape(name)) : undefined));
};

const add = binary((_c, _n, g) => g);
const sub = binary((c, _n, g, i) => (i === 0 ? g : c.builder.op('Neg', [g])));
const mul = binary((c, n, g, i) => c.builder.op('Mul', [g, n.inputs[1 - i]!]));
const div = binary((c, n, g, i) => {
  const b = c.builder;
  const [, divisor] = n.inputs as [string, string];
  return i === 0 ? b.op('Div', [g, divisor]) : b.op('Neg', [b.op('Div', [b.op('Mul', [g, n.outputs[0]!]), divisor])]);
});
const pow = binary((c, n, g, i) => {
  if (i === 1) throw unsupported('Pow with an image-dependent exponent is not supported');
  const b = c.builder;
  const [x, p] = n.inputs as [string, string];
  return b.op('Mul', [g, b.op('Mul', [p, b.op('Pow', [x, b.op('Sub', [p, b.scalar(1)])])])]);
});

function swapLastTwo(c: BackwardContext, x: string): string {
  const rank = c.shape(x).length;
  const perm = Array.from({ length: rank }, (_, k) => k);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1]!, perm[rank - 2]!];
  return c.builder.op('Transpose', [x], [makeAttr.ints('perm', perm)]);
}

const matMul: BackwardRule = (c, n, dy) => {
  const g = gradOf(dy);
  const [a, w] = n.inputs as [string, string];
  const [aShape, wShape, out] = [c.shape(a), c.shape(w), c.shape(n.outputs[0]!)];
  if (aShape.length < 2 || wShape.length < 2) throw unsupported('MatMul with 1-D operands is not supported');
  const gradA = c.needs(n, 0)
    ? c.unbroadcast(c.builder.op('MatMul', [g, swapLastTwo(c, w)]), [...out.slice(0, -1), aShape.at(-1)!], aShape)
    : undefined;
  const gradW = c.needs(n, 1)
    ? c.unbroadcast(c.builder.op('MatMul', [swapLastTwo(c, a), g]), [...out.slice(0, -2), aShape.at(-1)!, out.at(-1)!], wShape)
    : undefined;
  return [gradA, gradW];
};

/**
 * ConvTranspose with the forward window parameters maps output gradients back onto the input grid; rows the
 * forward window never reached (floor division) are restored with output_padding, overhang (ceil_mode) is cut.
 */
function transposedWindow(
  c: BackwardContext, g: string, weight: string, n: OnnxNode, group: number, dilations: readonly number[],
): string {
  const kernel = ints(n, 'kernel_shape');
  const strides = ints(n, 'strides');
  const pads = [...ints(n, 'pads')];
  const inSpatial = c.shape(n.inputs[0]!).slice(2);
  const outSpatial = c.shape(n.outputs[0]!).slice(2);
  const rank = kernel.length;
  const outputPadding = kernel.map((k, d) => {
    const reached = (outSpatial[d]! - 1) * strides[d]! - pads[d]! - pads[d + rank]! + (k - 1) * dilations[d]! + 1;
    const missing = inSpatial[d]! - reached;
    if (missing >= 0) return missing;
    pads[d + rank] = pads[d + rank]! - missing;
    return 0;
  });
  const attributes = [
    makeAttr.ints('kernel_shape', kernel), makeAttr.ints('strides', strides), makeAttr.ints('pads', pads),
    makeAttr.ints('dilations', dilations), makeAttr.int('group', group), makeAttr.ints('output_padding', outputPadding),
  ];
  return c.builder.op('ConvTranspose', [g, weight], attributes);
}

const conv: BackwardRule = (c, n, dy) => {
  if (c.needs(n, 1) || c.needs(n, 2)) throw unsupported('Conv with image-dependent weights is not supported');
  return [transposedWindow(c, gradOf(dy), n.inputs[1]!, n, int(n, 'group', 1), ints(n, 'dilations'))];
};

const maxPool: BackwardRule = (c, n, dy) => {
  // MaxPool's indices are flat offsets into the whole input tensor, so a flat scatter-add routes each gradient.
  const b = c.builder;
  const xShape = c.shape(n.inputs[0]!);
  const zeros = b.op('ConstantOfShape', [b.int64s([numel(xShape)])]);
  const flat = b.int64s([-1]);
  const indices = b.op('Reshape', [n.outputs[1]!, flat]);
  const scattered = b.op('ScatterElements', [zeros, indices, b.op('Reshape', [gradOf(dy), flat])], [
    makeAttr.int('axis', 0), makeAttr.string('reduction', 'add'),
  ]);
  return [b.op('Reshape', [scattered, b.int64s(xShape)])];
};

/** How many input elements each output position of an AveragePool divides by (same for every channel). */
function poolDivisors(n: OnnxNode, inSpatial: readonly number[], outSpatial: readonly number[]): number[] {
  const [kernel, strides, pads] = [ints(n, 'kernel_shape'), ints(n, 'strides'), ints(n, 'pads')];
  const includePad = int(n, 'count_include_pad', 0) === 1;
  const rank = kernel.length;
  const perAxis = outSpatial.map((size, d) =>
    Array.from({ length: size }, (_, o) => {
      const start = o * strides[d]! - pads[d]!;
      const end = Math.min(start + kernel[d]!, inSpatial[d]! + pads[d + rank]!);
      return includePad ? end - start : Math.min(end, inSpatial[d]!) - Math.max(start, 0);
    }),
  );
  let divisors = [1];
  for (const axis of perAxis) divisors = divisors.flatMap((prefix) => axis.map((v) => prefix * v));
  return divisors;
}

const averagePool: BackwardRule = (c, n, dy) => {
  const b = c.builder;
  const xShape = c.shape(n.inputs[0]!);
  const outShape = c.shape(n.outputs[0]!);
  const kernel = ints(n, 'kernel_shape');
  const channels = xShape[1]!;
  const divisors = b.floats(poolDivisors(n, xShape.slice(2), outShape.slice(2)), [1, 1, ...outShape.slice(2)], 'pool_div');
  const ones = b.floats(new Array<number>(channels * numel(kernel)).fill(1), [channels, 1, ...kernel], 'pool_ones');
  const scaled = b.op('Div', [gradOf(dy), divisors]);
  return [transposedWindow(c, scaled, ones, n, channels, kernel.map(() => 1))];
};

const globalAveragePool: BackwardRule = (c, n, dy) => {
  const b = c.builder;
  const xShape = c.shape(n.inputs[0]!);
  const spread = b.op('Expand', [gradOf(dy), b.int64s(xShape)]);
  return [b.op('Mul', [spread, b.scalar(1 / numel(xShape.slice(2)))])];
};

const concat: BackwardRule = (c, n, dy) => {
  const axis = int(n, 'axis', 0);
  const sizes = n.inputs.map((name) => c.shape(name)[axis]!);
  return c.builder.opMulti('Split', [gradOf(dy), c.builder.int64s(sizes)], sizes.length, [makeAttr.int('axis', axis)]);
};

const split: BackwardRule = (c, n, dy) => {
  const b = c.builder;
  const parts = n.outputs.map((o, k) => dy[k] ?? b.op('ConstantOfShape', [b.int64s(c.shape(o))]));
  return [b.op('Concat', parts, [makeAttr.int('axis', int(n, 'axis', 0))])];
};

const reshape: BackwardRule = (c, n, dy) => [c.builder.op('Reshape', [gradOf(dy), c.builder.int64s(c.shape(n.inputs[0]!))])];

const transpose: BackwardRule = (c, n, dy) => {
  const perm = ints(n, 'perm');
  const inverse = perm.map((_, k) => perm.indexOf(k));
  return [c.builder.op('Transpose', [gradOf(dy)], [makeAttr.ints('perm', inverse)])];
};

const softmax: BackwardRule = (c, n, dy) => {
  const b = c.builder;
  const y = n.outputs[0]!;
  const g = gradOf(dy);
  const dot = b.op('ReduceSum', [b.op('Mul', [g, y]), b.int64s([int(n, 'axis', -1)])], [makeAttr.int('keepdims', 1)]);
  return [b.op('Mul', [y, b.op('Sub', [g, dot])])];
};

const logSoftmax: BackwardRule = (c, n, dy) => {
  const b = c.builder;
  const g = gradOf(dy);
  const total = b.op('ReduceSum', [g, b.int64s([int(n, 'axis', -1)])], [makeAttr.int('keepdims', 1)]);
  return [b.op('Sub', [g, b.op('Mul', [b.op('Exp', [n.outputs[0]!]), total])])];
};

/** ReduceMean (axes attribute) and ReduceSum (axes input): spread the gradient back over the reduced axes. */
const reduce: BackwardRule = (c, n, dy) => {
  const b = c.builder;
  const xShape = c.shape(n.inputs[0]!);
  const axes = n.opType === 'ReduceSum' ? b.constantInts(n.inputs[1]!) : ints(n, 'axes');
  const kept = xShape.map((d, k) => (axes.includes(k) ? 1 : d));
  const g = int(n, 'keepdims', 1) ? gradOf(dy) : b.op('Reshape', [gradOf(dy), b.int64s(kept)]);
  const spread = b.op('Expand', [g, b.int64s(xShape)]);
  if (n.opType === 'ReduceSum') return [spread];
  return [b.op('Mul', [spread, b.scalar(1 / numel(axes.map((a) => xShape[a]!)))])];
};

const slice: BackwardRule = (c, n, dy) => {
  const b = c.builder;
  const xShape = c.shape(n.inputs[0]!);
  const [starts, ends, axes] = [1, 2, 3].map((i) => b.constantInts(n.inputs[i]!));
  const pads = new Array<number>(2 * xShape.length).fill(0);
  axes!.forEach((a, i) => {
    pads[a] = starts![i]!;
    pads[a + xShape.length] = xShape[a]! - ends![i]!;
  });
  return [b.op('Pad', [gradOf(dy), b.int64s(pads)], [makeAttr.string('mode', 'constant')])];
};

const gather: BackwardRule = (c, n, dy) => {
  const b = c.builder;
  const xShape = c.shape(n.inputs[0]!);
  const axis = int(n, 'axis', 0);
  const indices = b.constantInts(n.inputs[1]!);
  const count = indices.length;
  const gatheredShape = xShape.map((d, k) => (k === axis ? count : d));
  const g = b.op('Reshape', [gradOf(dy), b.int64s(gatheredShape)]);
  const indexDims = xShape.map((_, k) => (k === axis ? count : 1));
  const index = b.op('Expand', [b.int64s(indices, indexDims), b.int64s(gatheredShape)]);
  const zeros = b.op('ConstantOfShape', [b.int64s(xShape)]);
  return [b.op('ScatterElements', [zeros, index, g], [makeAttr.int('axis', axis), makeAttr.string('reduction', 'add')])];
};

const pad: BackwardRule = (c, n, dy) => {
  const b = c.builder;
  const xShape = c.shape(n.inputs[0]!);
  const pads = b.constantInts(n.inputs[1]!);
  const starts = xShape.map((_, k) => pads[k]!);
  const ends = xShape.map((d, k) => pads[k]! + d);
  const axes = xShape.map((_, k) => k);
  return [b.op('Slice', [gradOf(dy), b.int64s(starts), b.int64s(ends), b.int64s(axes)])];
};

export const BACKWARD_RULES: Record<string, BackwardRule> = {
  Relu: relu, LeakyRelu: leakyRelu, Clip: clip, HardSigmoid: hardSigmoid, Sigmoid: sigmoid, Tanh: tanh,
  Exp: exp, Sqrt: sqrt, Erf: erf, Neg: neg, Add: add, Sub: sub, Mul: mul, Div: div, Pow: pow, MatMul: matMul,
  Conv: conv, MaxPool: maxPool, AveragePool: averagePool, GlobalAveragePool: globalAveragePool,
  Concat: concat, Split: split, Reshape: reshape, Transpose: transpose, Softmax: softmax, LogSoftmax: logSoftmax,
  ReduceMean: reduce, ReduceSum: reduce, Slice: slice, Gather: gather, Pad: pad,
};
