/**
 * ONNX model structures (the subset this package reads and writes) and their protobuf encoding.
 * Field numbers follow onnx/onnx.proto.
 */
import { appendFloats, appendVarints, decodeString, ProtoReader, ProtoWriter, readFloat32 } from './protobuf.js';

export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, BOOL: 9, DOUBLE: 11 } as const;

/** A constant tensor. Float tensors carry `floats`; integer and boolean tensors carry `ints`. */
export interface Tensor {
  readonly dims: readonly number[];
  readonly dataType: number;
  readonly floats?: Float32Array;
  readonly ints?: readonly number[];
}

export const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

export interface Attribute {
  readonly name: string;
  readonly type: number;
  readonly f?: number;
  readonly i?: number;
  readonly s?: string;
  readonly t?: Tensor;
  readonly floats?: readonly number[];
  readonly ints?: readonly number[];
  readonly strings?: readonly string[];
}

export interface OnnxNode {
  readonly opType: string;
  readonly domain: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: readonly Attribute[];
}

export interface ValueInfo {
  readonly name: string;
  readonly elemType?: number;
  /** Numbers for fixed dimensions, strings for symbolic ones. */
  readonly shape?: readonly (number | string)[];
}

export interface OnnxGraph {
  readonly name: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly (Tensor & { readonly name: string })[];
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
}

export interface OnnxProto {
  readonly irVersion: number;
  readonly opsets: readonly { readonly domain: string; readonly version: number }[];
  readonly graph: OnnxGraph;
}

// ---------------------------------------------------------------- decoding

export function decodeModel(bytes: Uint8Array): OnnxProto {
  let irVersion = 0;
  const opsets: { domain: string; version: number }[] = [];
  let graph: OnnxGraph | undefined;
  const reader = new ProtoReader(bytes);
  while (!reader.done) {
    const f = reader.field();
    if (f.number === 1) irVersion = f.varint;
    else if (f.number === 8) opsets.push(decodeOpset(f.bytes));
    else if (f.number === 7) graph = decodeGraph(f.bytes);
  }
  if (!graph) throw new Error('the file holds no ONNX graph');
  return { irVersion, opsets, graph };
}

function decodeOpset(bytes: Uint8Array): { domain: string; version: number } {
  let domain = '';
  let version = 0;
  const reader = new ProtoReader(bytes);
  while (!reader.done) {
    const f = reader.field();
    if (f.number === 1) domain = decodeString(f.bytes);
    else if (f.number === 2) version = f.varint;
  }
  return { domain, version };
}

function decodeGraph(bytes: Uint8Array): OnnxGraph {
  let name = '';
  const nodes: OnnxNode[] = [];
  const initializers: (Tensor & { name: string })[] = [];
  const inputs: ValueInfo[] = [];
  const outputs: ValueInfo[] = [];
  const reader = new ProtoReader(bytes);
  while (!reader.done) {
    const f = reader.field();
    if (f.number === 1) nodes.push(decodeNode(f.bytes));
    else if (f.number === 2) name = decodeString(f.bytes);
    else if (f.number === 5) initializers.push(decodeTensor(f.bytes));
    else if (f.number === 11) inputs.push(decodeValueInfo(f.bytes));
    else if (f.number === 12) outputs.push(decodeValueInfo(f.bytes));
  }
  return { name, nodes, initializers, inputs, outputs };
}

function decodeNode(bytes: Uint8Array): OnnxNode {
  const inputs: string[] = [];
  const outputs: string[] = [];
  const attributes: Attribute[] = [];
  let name = '';
  let opType = '';
  let domain = '';
  const reader = new ProtoReader(bytes);
  while (!reader.done) {
    const f = reader.field();
    if (f.number === 1) inputs.push(decodeString(f.bytes));
    else if (f.number === 2) outputs.push(decodeString(f.bytes));
    else if (f.number === 3) name = decodeString(f.bytes);
    else if (f.number === 4) opType = decodeString(f.bytes);
    else if (f.number === 5) attributes.push(decodeAttribute(f.bytes));
    else if (f.number === 7) domain = decodeString(f.bytes);
  }
  return { opType, domain, name, inputs, outputs, attributes };
}

function decodeAttribute(bytes: Uint8Array): Attribute {
  let name = '';
  let type = 0;
  let f: number | undefined;
  let i: number | undefined;
  let s: string | undefined;
  let t: Tensor | undefined;
  const floats: number[] = [];
  const ints: number[] = [];
  const strings: string[] = [];
  const reader = new ProtoReader(bytes);
  while (!reader.done) {
    const field = reader.field();
    switch (field.number) {
      case 1: name = decodeString(field.bytes); break;
      case 20: type = field.varint; break;
      case 2: f = readFloat32(field.bytes); break;
      case 3: i = field.varint; break;
      case 4: s = decodeString(field.bytes); break;
      case 5: t = decodeTensor(field.bytes); break;
      case 6: type = type || AttrType.GRAPH; break;
      case 7: appendFloats(field, floats); break;
      case 8: appendVarints(field, ints); break;
      case 9: strings.push(decodeString(field.bytes)); break;
      default: break;
    }
  }
  return { name, type, f, i, s, t, floats, ints, strings };
}

function decodeValueInfo(bytes: Uint8Array): ValueInfo {
  let name = '';
  let elemType: number | undefined;
  let shape: (number | string)[] | undefined;
  const reader = new ProtoReader(bytes);
  while (!reader.done) {
    const f = reader.field();
    if (f.number === 1) name = decodeString(f.bytes);
    else if (f.number === 2) {
      const typeReader = new ProtoReader(f.bytes);
      while (!typeReader.done) {
        const tf = typeReader.field();
        if (tf.number !== 1) continue; // only tensor types
        const tensorReader = new ProtoReader(tf.bytes);
        while (!tensorReader.done) {
          const ff = tensorReader.field();
          if (ff.number === 1) elemType = ff.varint;
          else if (ff.number === 2) shape = decodeShape(ff.bytes);
        }
      }
    }
  }
  return { name, elemType, shape };
}

function decodeShape(bytes: Uint8Array): (number | string)[] {
  const dims: (number | string)[] = [];
  const reader = new ProtoReader(bytes);
  while (!reader.done) {
    const f = reader.field();
    if (f.number !== 1) continue;
    let dim: number | string = '?';
    const dimReader = new ProtoReader(f.bytes);
    while (!dimReader.done) {
      const d = dimReader.field();
      if (d.number === 1) dim = d.varint;
      else if (d.number === 2) dim = decodeString(d.bytes);
    }
    dims.push(dim);
  }
  return dims;
}

export function decodeTensor(bytes: Uint8Array): Tensor & { name: string } {
  const dims: number[] = [];
  let dataType = 0;
  let name = '';
  let raw: Uint8Array | undefined;
  const floatData: number[] = [];
  const intData: number[] = [];
  const doubleData: number[] = [];
  let external = false;
  const reader = new ProtoReader(bytes);
  while (!reader.done) {
    const f = reader.field();
    switch (f.number) {
      case 1: appendVarints(f, dims); break;
      case 2: dataType = f.varint; break;
      case 4: appendFloats(f, floatData); break;
      case 5: case 7: appendVarints(f, intData); break;
      case 8: name = decodeString(f.bytes); break;
      case 9: raw = f.bytes; break;
      case 10: appendDoubles(f.bytes, doubleData); break;
      case 13: external = true; break;
      case 14: external = external || f.varint === 1; break;
      default: break;
    }
  }
  if (external) throw new Error(`tensor ${name} uses external data, which is not supported`);
  const count = dims.reduce((a, b) => a * b, 1);
  if (dataType === DataType.FLOAT) {
    const floats = raw ? copyFloat32(raw) : Float32Array.from(floatData);
    return { name, dims, dataType, floats: floats.length === count ? floats : floats.subarray(0, count) };
  }
  if (dataType === DataType.DOUBLE) {
    const values = raw ? Array.from(new Float64Array(copyBytes(raw, 8).buffer)) : doubleData;
    return { name, dims, dataType, floats: Float32Array.from(values) };
  }
  return { name, dims, dataType, ints: raw ? rawInts(raw, dataType) : intData };
}

function appendDoubles(bytes: Uint8Array, out: number[]): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i + 8 <= bytes.byteLength; i += 8) out.push(view.getFloat64(i, true));
}

function copyBytes(raw: Uint8Array, align: number): Uint8Array {
  const copy = new Uint8Array(raw.byteLength - (raw.byteLength % align));
  copy.set(raw.subarray(0, copy.length));
  return copy;
}

function copyFloat32(raw: Uint8Array): Float32Array {
  return new Float32Array(copyBytes(raw, 4).buffer);
}

function rawInts(raw: Uint8Array, dataType: number): number[] {
  switch (dataType) {
    case DataType.INT64: return Array.from(new BigInt64Array(copyBytes(raw, 8).buffer), Number);
    case DataType.INT32: return Array.from(new Int32Array(copyBytes(raw, 4).buffer));
    case DataType.INT8: return Array.from(new Int8Array(copyBytes(raw, 1).buffer));
    case DataType.UINT8: case DataType.BOOL: return Array.from(raw);
    default: throw new Error(`unsupported tensor data type ${dataType}`);
  }
}

// ---------------------------------------------------------------- encoding

export function encodeModel(model: OnnxProto): Uint8Array {
  const w = new ProtoWriter().varintField(1, model.irVersion).stringField(2, 'lrsal-backprop');
  w.bytesField(7, encodeGraph(model.graph));
  for (const opset of model.opsets) {
    w.bytesField(8, new ProtoWriter().stringField(1, opset.domain).varintField(2, opset.version).finish());
  }
  return w.finish();
}

/** A graph fragment; protobuf merges it into the graph of the model bytes it is appended to. */
export function encodeExtraOutputs(outputs: readonly ValueInfo[]): Uint8Array {
  const graph = new ProtoWriter();
  for (const o of outputs) graph.bytesField(12, encodeValueInfo(o));
  return new ProtoWriter().bytesField(7, graph.finish()).finish();
}

function encodeGraph(graph: OnnxGraph): Uint8Array {
  const w = new ProtoWriter();
  for (const node of graph.nodes) w.bytesField(1, encodeNode(node));
  w.stringField(2, graph.name || 'graph');
  for (const t of graph.initializers) w.bytesField(5, encodeTensor(t, t.name));
  for (const i of graph.inputs) w.bytesField(11, encodeValueInfo(i));
  for (const o of graph.outputs) w.bytesField(12, encodeValueInfo(o));
  return w.finish();
}

function encodeNode(node: OnnxNode): Uint8Array {
  const w = new ProtoWriter();
  for (const i of node.inputs) w.stringField(1, i);
  for (const o of node.outputs) w.stringField(2, o);
  if (node.name) w.stringField(3, node.name);
  w.stringField(4, node.opType);
  for (const a of node.attributes) w.bytesField(5, encodeAttribute(a));
  if (node.domain) w.stringField(7, node.domain);
  return w.finish();
}

function encodeAttribute(a: Attribute): Uint8Array {
  const w = new ProtoWriter().stringField(1, a.name).varintField(20, a.type);
  switch (a.type) {
    case AttrType.FLOAT: w.floatField(2, a.f ?? 0); break;
    case AttrType.INT: w.varintField(3, a.i ?? 0); break;
    case AttrType.STRING: w.stringField(4, a.s ?? ''); break;
    case AttrType.TENSOR: if (a.t) w.bytesField(5, encodeTensor(a.t, '')); break;
    case AttrType.FLOATS: w.packedFloats(7, a.floats ?? []); break;
    case AttrType.INTS: w.packedVarints(8, a.ints ?? []); break;
    case AttrType.STRINGS: for (const s of a.strings ?? []) w.stringField(9, s); break;
    default: throw new Error(`cannot encode attribute ${a.name} of type ${a.type}`);
  }
  return w.finish();
}

function encodeValueInfo(v: ValueInfo): Uint8Array {
  const w = new ProtoWriter().stringField(1, v.name);
  if (v.elemType !== undefined) {
    const tensorType = new ProtoWriter().varintField(1, v.elemType);
    if (v.shape) {
      const shape = new ProtoWriter();
      for (const d of v.shape) {
        const dim = new ProtoWriter();
        if (typeof d === 'number') dim.varintField(1, d);
        else dim.stringField(2, d);
        shape.bytesField(1, dim.finish());
      }
      tensorType.bytesField(2, shape.finish());
    }
    w.bytesField(2, new ProtoWriter().bytesField(1, tensorType.finish()).finish());
  }
  return w.finish();
}

export function encodeTensor(t: Tensor, name: string): Uint8Array {
  const w = new ProtoWriter().packedVarints(1, t.dims).varintField(2, t.dataType);
  if (name) w.stringField(8, name);
  w.bytesField(9, tensorBytes(t));
  return w.finish();
}

function tensorBytes(t: Tensor): Uint8Array {
  if (t.dataType === DataType.FLOAT) {
    const f = t.floats ?? new Float32Array(0);
    return new Uint8Array(f.buffer, f.byteOffset, f.byteLength);
  }
  const ints = t.ints ?? [];
  switch (t.dataType) {
    case DataType.INT64: return new Uint8Array(BigInt64Array.from(ints, (v) => BigInt(v)).buffer);
    case DataType.INT32: return new Uint8Array(Int32Array.from(ints).buffer);
    case DataType.BOOL: case DataType.UINT8: return Uint8Array.from(ints);
    default: throw new Error(`cannot encode tensor of data type ${t.dataType}`);
  }
}

// ---------------------------------------------------------------- attribute access

export function attr(node: OnnxNode, name: string): Attribute | undefined {
  return node.attributes.find((a) => a.name === name);
}

export function attrInt(node: OnnxNode, name: string, fallback: number): number {
  return attr(node, name)?.i ?? fallback;
}

export function attrFloat(node: OnnxNode, name: string, fallback: number): number {
  return attr(node, name)?.f ?? fallback;
}

export function attrInts(node: OnnxNode, name: string): readonly number[] | undefined {
  const a = attr(node, name);
  return a && a.type === AttrType.INTS ? a.ints : undefined;
}

export function attrString(node: OnnxNode, name: string, fallback: string): string {
  return attr(node, name)?.s ?? fallback;
}

export const makeAttr = {
  int: (name: string, i: number): Attribute => ({ name, type: AttrType.INT, i }),
  float: (name: string, f: number): Attribute => ({ name, type: AttrType.FLOAT, f }),
  ints: (name: string, ints: readonly number[]): Attribute => ({ name, type: AttrType.INTS, ints }),
  floats: (name: string, floats: readonly number[]): Attribute => ({ name, type: AttrType.FLOATS, floats }),
  string: (name: string, s: string): Attribute => ({ name, type: AttrType.STRING, s }),
  tensor: (name: string, t: Tensor): Attribute => ({ name, type: AttrType.TENSOR, t }),
};
