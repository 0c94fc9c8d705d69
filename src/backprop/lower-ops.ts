/** Per-operator lowering of an original ONNX node into primitive nodes with opset-17 semantics. */
import { normAxis, numel } from './graph-builder.js';
import type { LowerContext } from './lower.js';
import { attrFloat, attrInt, attrInts, attrString, makeAttr } from './onnx-proto.js';

type LoweringRule = (c: LowerContext) => (string | undefined)[];

const FLOAT_MAX = 3.4028234663852886e38;

function reshapeTo(c: LowerContext, x: string, shape: readonly number[]): string {
  return c.builder.op('Reshape', [x, c.builder.int64s(shape)], [], shape);
}

const passThrough: LoweringRule = (c) => [c.x(0)];
const reshapeToOutput: LoweringRule = (c) => [reshapeTo(c, c.x(0), c.outShape(0))];
const sameOp: LoweringRule = (c) => [c.builder.op(c.node.opType, c.node.inputs.map((_, i) => c.x(i)), [], c.outShape(0))];

/** Explicit [begin..., end...] pads, resolving auto_pad the way the ONNX spec defines it. */
function explicitPads(c: LowerContext, kernel: readonly number[], strides: readonly number[], dilations: readonly number[]): number[] {
  const spatial = c.inShape(0).slice(2);
  const autoPad = attrString(c.node, 'auto_pad', 'NOTSET');
  if (autoPad === 'NOTSET') return [...(attrInts(c.node, 'pads') ?? new Array<number>(2 * spatial.length).fill(0))];
  if (autoPad === 'VALID') return new Array<number>(2 * spatial.length).fill(0);
  const begin: number[] = [];
  const end: number[] = [];
  spatial.forEach((size, d) => {
    const out = Math.ceil(size / strides[d]!);
    const total = Math.max(0, (out - 1) * strides[d]! + (kernel[d]! - 1) * dilations[d]! + 1 - size);
    const small = Math.floor(total / 2);
    begin.push(autoPad === 'SAME_LOWER' ? total - small : small);
    end.push(autoPad === 'SAME_LOWER' ? small : total - small);
  });
  return [...begin, ...end];
}

function windowAttributes(c: LowerContext, kernel: readonly number[]): { strides: number[]; dilations: number[]; pads: number[] } {
  const ones = kernel.map(() => 1);
  const strides = [...(attrInts(c.node, 'strides') ?? ones)];
  const dilations = [...(attrInts(c.node, 'dilations') ?? ones)];
  return { strides, dilations, pads: explicitPads(c, kernel, strides, dilations) };
}

const conv: LoweringRule = (c) => {
  const weight = c.constant(1);
  const kernel = weight.dims.slice(2);
  const { strides, dilations, pads } = windowAttributes(c, kernel);
  const inputs = [c.x(0), c.x(1), ...(c.has(2) ? [c.x(2)] : [])];
  const attributes = [
    makeAttr.ints('kernel_shape', kernel), makeAttr.ints('strides', strides), makeAttr.ints('dilations', dilations),
    makeAttr.ints('pads', pads), makeAttr.int('group', attrInt(c.node, 'group', 1)),
  ];
  return [c.builder.op('Conv', inputs, attributes, c.outShape(0))];
};

const maxPool: LoweringRule = (c) => {
  if (attrInt(c.node, 'storage_order', 0) !== 0) throw c.unsupported('storage_order=1');
  const kernel = attrInts(c.node, 'kernel_shape') ?? [];
  const { strides, dilations, pads } = windowAttributes(c, kernel);
  const attributes = [
    makeAttr.ints('kernel_shape', kernel), makeAttr.ints('strides', strides), makeAttr.ints('dilations', dilations),
    makeAttr.ints('pads', pads), makeAttr.int('ceil_mode', attrInt(c.node, 'ceil_mode', 0)),
  ];
  const out = c.outShape(0);
  return [c.builder.opMulti('MaxPool', [c.x(0)], 2, attributes, [out, out])[0]];
};

const averagePool: LoweringRule = (c) => {
  const kernel = attrInts(c.node, 'kernel_shape') ?? [];
  const { strides, dilations, pads } = windowAttributes(c, kernel);
  if (dilations.some((d) => d !== 1)) throw c.unsupported('dilations');
  const attributes = [
    makeAttr.ints('kernel_shape', kernel), makeAttr.ints('strides', strides), makeAttr.ints('pads', pads),
    makeAttr.int('ceil_mode', attrInt(c.node, 'ceil_mode', 0)),
    makeAttr.int('count_include_pad', attrInt(c.node, 'count_include_pad', 0)),
  ];
  return [c.builder.op('AveragePool', [c.x(0)], attributes, c.outShape(0))];
};

const batchNorm: LoweringRule = (c) => {
  const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((i) => c.constantNumbers(i));
  const eps = attrFloat(c.node, 'epsilon', 1e-5);
  const shape = c.inShape(0);
  const channelDims = [shape[1]!, ...shape.slice(2).map(() => 1)];
  const scale = gamma!.map((g, k) => g / Math.sqrt(variance![k]! + eps));
  const shift = beta!.map((b, k) => b - mean![k]! * scale[k]!);
  const scaled = c.builder.op('Mul', [c.x(0), c.builder.floats(scale, channelDims, 'bn_scale')], [], shape);
  return [c.builder.op('Add', [scaled, c.builder.floats(shift, channelDims, 'bn_shift')], [], shape)];
};

function transpose2d(c: LowerContext, x: string, shape: readonly number[]): string {
  return c.builder.op('Transpose', [x], [makeAttr.ints('perm', [1, 0])], [shape[1]!, shape[0]!]);
}

const gemm: LoweringRule = (c) => {
  const b = c.builder;
  const out = c.outShape(0);
  const a = attrInt(c.node, 'transA', 0) ? transpose2d(c, c.x(0), c.inShape(0)) : c.x(0);
  const w = attrInt(c.node, 'transB', 0) ? transpose2d(c, c.x(1), c.inShape(1)) : c.x(1);
  let y = b.op('MatMul', [a, w], [], out);
  const alpha = attrFloat(c.node, 'alpha', 1);
  if (alpha !== 1) y = b.op('Mul', [y, b.scalar(alpha)], [], out);
  if (!c.has(2)) return [y];
  const beta = attrFloat(c.node, 'beta', 1);
  const bias = beta === 1 ? c.x(2) : b.op('Mul', [c.x(2), b.scalar(beta)], [], c.inShape(2));
  return [b.op('Add', [y, bias], [], out)];
};

/** Softmax / LogSoftmax; before opset 13 they normalised over all dimensions from `axis` on. */
const softmaxLike: LoweringRule = (c) => {
  const shape = c.inShape(0);
  const legacy = c.opset < 13;
  const axis = normAxis(attrInt(c.node, 'axis', legacy ? 1 : -1), shape.length);
  if (!legacy || axis === shape.length - 1) {
    return [c.builder.op(c.node.opType, [c.x(0)], [makeAttr.int('axis', axis)], shape)];
  }
  const flat = [numel(shape.slice(0, axis)), numel(shape.slice(axis))];
  const y = c.builder.op(c.node.opType, [reshapeTo(c, c.x(0), flat)], [makeAttr.int('axis', 1)], flat);
  return [reshapeTo(c, y, shape)];
};

const clip: LoweringRule = (c) => {
  const b = c.builder;
  const bound = (i: number, name: string, fallback: number): number =>
    c.opset < 11 ? attrFloat(c.node, name, fallback) : c.has(i) ? c.constantNumbers(i)[0]! : fallback;
  const lo = bound(1, 'min', -FLOAT_MAX);
  const hi = bound(2, 'max', FLOAT_MAX);
  return [b.op('Clip', [c.x(0), b.scalar(lo), b.scalar(hi)], [], c.outShape(0))];
};

const hardSwish: LoweringRule = (c) => {
  const shape = c.outShape(0);
  const gate = c.builder.op('HardSigmoid', [c.x(0)], [makeAttr.float('alpha', 1 / 6), makeAttr.float('beta', 0.5)], shape);
  return [c.builder.op('Mul', [c.x(0), gate], [], shape)];
};

const copyAttributes = (names: readonly string[]): LoweringRule => (c) => {
  const attributes = c.node.attributes.filter((a) => names.includes(a.name));
  return [c.builder.op(c.node.opType, [c.x(0)], attributes, c.outShape(0))];
};

const binary: LoweringRule = (c) => {
  if (c.opset < 7 && attrInt(c.node, 'broadcast', 0) !== 0) throw c.unsupported('legacy broadcast attribute');
  return sameOp(c);
};

const sum: LoweringRule = (c) => {
  let total = c.x(0);
  for (let i = 1; i < c.node.inputs.length; i++) total = c.builder.op('Add', [total, c.x(i)], [], c.outShape(0));
  return [total];
};

const transpose: LoweringRule = (c) => {
  const rank = c.inShape(0).length;
  const perm = attrInts(c.node, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  return [c.builder.op('Transpose', [c.x(0)], [makeAttr.ints('perm', perm)], c.outShape(0))];
};

const concat: LoweringRule = (c) => {
  const axis = normAxis(attrInt(c.node, 'axis', 1), c.outShape(0).length);
  return [c.builder.op('Concat', c.node.inputs.map((_, i) => c.x(i)), [makeAttr.int('axis', axis)], c.outShape(0))];
};

const split: LoweringRule = (c) => {
  const axis = normAxis(attrInt(c.node, 'axis', 0), c.inShape(0).length);
  const sizes = c.node.outputs.map((_, k) => c.outShape(k)[axis]!);
  const shapes = c.node.outputs.map((_, k) => c.outShape(k));
  return c.builder.opMulti('Split', [c.x(0), c.builder.int64s(sizes)], sizes.length, [makeAttr.int('axis', axis)], shapes);
};

/** ReduceMean / ReduceSum: axes moved from attribute to input at opset 18 / 13. */
const reduce: LoweringRule = (c) => {
  const rank = c.inShape(0).length;
  const axesAsInput = c.opset >= (c.node.opType === 'ReduceSum' ? 13 : 18);
  let axes = axesAsInput ? (c.has(1) ? c.constantNumbers(1) : []) : [...(attrInts(c.node, 'axes') ?? [])];
  if (axes.length === 0) {
    if (attrInt(c.node, 'noop_with_empty_axes', 0)) return [c.x(0)];
    axes = Array.from({ length: rank }, (_, i) => i);
  }
  axes = axes.map((a) => normAxis(a, rank));
  const keep = makeAttr.int('keepdims', attrInt(c.node, 'keepdims', 1));
  if (c.node.opType === 'ReduceSum') return [c.builder.op('ReduceSum', [c.x(0), c.builder.int64s(axes)], [keep], c.outShape(0))];
  return [c.builder.op('ReduceMean', [c.x(0)], [makeAttr.ints('axes', axes), keep], c.outShape(0))];
};

const layerNorm: LoweringRule = (c) => {
  if (c.node.outputs.slice(1).some((o) => o !== '')) throw c.unsupported('Mean/InvStdDev outputs');
  const b = c.builder;
  const shape = c.inShape(0);
  const axis = normAxis(attrInt(c.node, 'axis', -1), shape.length);
  const axes = Array.from({ length: shape.length - axis }, (_, k) => axis + k);
  const reduced = shape.map((d, k) => (k >= axis ? 1 : d));
  const keep = [makeAttr.ints('axes', axes), makeAttr.int('keepdims', 1)];
  const mean = b.op('ReduceMean', [c.x(0)], keep, reduced);
  const centred = b.op('Sub', [c.x(0), mean], [], shape);
  const variance = b.op('ReduceMean', [b.op('Mul', [centred, centred], [], shape)], keep, reduced);
  const std = b.op('Sqrt', [b.op('Add', [variance, b.scalar(attrFloat(c.node, 'epsilon', 1e-5))], [], reduced)], [], reduced);
  const scaled = b.op('Mul', [b.op('Div', [centred, std], [], shape), c.x(1)], [], shape);
  return [c.has(2) ? b.op('Add', [scaled, c.x(2)], [], shape) : scaled];
};

const gelu: LoweringRule = (c) => {
  const b = c.builder;
  const shape = c.inShape(0);
  const x = c.x(0);
  const half = b.op('Mul', [x, b.scalar(0.5)], [], shape);
  let inner: string;
  if (attrString(c.node, 'approximate', 'none') === 'tanh') {
    const cube = b.op('Mul', [b.op('Mul', [x, x], [], shape), x], [], shape);
    const poly = b.op('Add', [x, b.op('Mul', [cube, b.scalar(0.044715)], [], shape)], [], shape);
    inner = b.op('Tanh', [b.op('Mul', [poly, b.scalar(Math.sqrt(2 / Math.PI))], [], shape)], [], shape);
  } else {
    inner = b.op('Erf', [b.op('Mul', [x, b.scalar(Math.SQRT1_2)], [], shape)], [], shape);
  }
  return [b.op('Mul', [half, b.op('Add', [inner, b.scalar(1)], [], shape)], [], shape)];
};

/** Slice with constant bounds, normalised to non-negative clamped starts/ends and unit steps. */
const slice: LoweringRule = (c) => {
  const shape = c.inShape(0);
  const legacy = c.opset < 10;
  const starts = legacy ? [...(attrInts(c.node, 'starts') ?? [])] : c.constantNumbers(1);
  const ends = legacy ? [...(attrInts(c.node, 'ends') ?? [])] : c.constantNumbers(2);
  const axes = (legacy ? attrInts(c.node, 'axes') : c.has(3) ? c.constantNumbers(3) : undefined) ?? starts.map((_, i) => i);
  const steps = !legacy && c.has(4) ? c.constantNumbers(4) : starts.map(() => 1);
  if (steps.some((s) => s !== 1)) throw c.unsupported('steps other than 1');
  const normAxes = axes.map((a) => normAxis(a, shape.length));
  const clampIndex = (v: number, size: number): number => Math.min(Math.max(v < 0 ? v + size : v, 0), size);
  const s = normAxes.map((a, i) => clampIndex(starts[i]!, shape[a]!));
  const e = normAxes.map((a, i) => Math.max(clampIndex(ends[i]!, shape[a]!), s[i]!));
  const b = c.builder;
  return [b.op('Slice', [c.x(0), b.int64s(s), b.int64s(e), b.int64s(normAxes)], [], c.outShape(0))];
};

const gather: LoweringRule = (c) => {
  const shape = c.inShape(0);
  const axis = normAxis(attrInt(c.node, 'axis', 0), shape.length);
  const indices = c.constant(1);
  if (indices.dims.length > 1) throw c.unsupported('indices of rank > 1');
  const values = (indices.ints ?? []).map((v) => (v < 0 ? v + shape[axis]! : v));
  const idx = c.builder.int64s(values, indices.dims);
  return [c.builder.op('Gather', [c.x(0), idx], [makeAttr.int('axis', axis)], c.outShape(0))];
};

const pad: LoweringRule = (c) => {
  if (attrString(c.node, 'mode', 'constant') !== 'constant') throw c.unsupported('non-constant pad mode');
  const legacy = c.opset < 11;
  const pads = legacy ? [...(attrInts(c.node, 'pads') ?? [])] : c.constantNumbers(1);
  if (!legacy && c.has(3)) throw c.unsupported('axes input');
  if (pads.some((p) => p < 0)) throw c.unsupported('negative pads');
  const value = legacy ? attrFloat(c.node, 'value', 0) : c.has(2) ? c.constantNumbers(2)[0]! : 0;
  const b = c.builder;
  return [b.op('Pad', [c.x(0), b.int64s(pads), b.scalar(value)], [makeAttr.string('mode', 'constant')], c.outShape(0))];
};

const cast: LoweringRule = (c) => {
  if (attrInt(c.node, 'to', 0) !== 1) throw c.unsupported('cast to a non-float type');
  return [c.x(0)];
};

const unaryNames = ['Relu', 'Sigmoid', 'Tanh', 'Erf', 'Sqrt', 'Exp', 'Neg', 'GlobalAveragePool'];
const withAttributes: Record<string, readonly string[]> = { LeakyRelu: ['alpha'], HardSigmoid: ['alpha', 'beta'] };

export const LOWERING_RULES: Record<string, LoweringRule> = {
  Identity: passThrough, Dropout: passThrough, Cast: cast,
  Flatten: reshapeToOutput, Reshape: reshapeToOutput, Squeeze: reshapeToOutput, Unsqueeze: reshapeToOutput,
  Conv: conv, MaxPool: maxPool, AveragePool: averagePool, BatchNormalization: batchNorm, Gemm: gemm,
  Softmax: softmaxLike, LogSoftmax: softmaxLike, Clip: clip, HardSwish: hardSwish,
  Add: binary, Sub: binary, Mul: binary, Div: binary, Pow: binary, MatMul: sameOp, Sum: sum,
  Transpose: transpose, Concat: concat, Split: split, ReduceMean: reduce, ReduceSum: reduce,
  LayerNormalization: layerNorm, Gelu: gelu, Slice: slice, Gather: gather, Pad: pad,
  ...Object.fromEntries(unaryNames.map((name) => [name, sameOp])),
  ...Object.fromEntries(Object.entries(withAttributes).map(([name, keep]) => [name, copyAttributes(keep)])),
};

