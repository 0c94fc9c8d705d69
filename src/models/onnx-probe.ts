/**
 * Runs the original model once in onnxruntime with every intermediate tensor exposed as an output. This
 * yields the static shape, element type and value of each tensor for one image, so the gradient graph can
 * be built with fixed shapes and shape-only subgraphs (Shape → Gather → Concat → Reshape) become constants.
 */
import * as ort from 'onnxruntime-node';
import { DataType, encodeExtraOutputs, type OnnxProto } from '../backprop/onnx-proto.js';
import type { ProbedTensor } from '../backprop/probed.js';

const ORT_TYPES: Record<string, number> = {
  float32: DataType.FLOAT, float64: DataType.DOUBLE, int64: DataType.INT64, int32: DataType.INT32,
  bool: DataType.BOOL, uint8: DataType.UINT8, int8: DataType.INT8,
};

export async function probeModel(
  modelBytes: Uint8Array,
  model: OnnxProto,
  inputName: string,
  inputDims: readonly number[],
): Promise<Map<string, ProbedTensor>> {
  const existing = new Set(model.graph.outputs.map((o) => o.name));
  const extra = [...new Set(model.graph.nodes.flatMap((n) => n.outputs))]
    .filter((name) => name !== '' && !existing.has(name))
    .map((name) => ({ name }));
  const probeBytes = concat(modelBytes, encodeExtraOutputs(extra));
  const session = await ort.InferenceSession.create(probeBytes, { intraOpNumThreads: 2 });
  try {
    const count = inputDims.reduce((a, b) => a * b, 1);
    const input = new Float32Array(count);
    // A deterministic, mildly varied input: the values of shape-only subgraphs do not depend on it.
    for (let i = 0; i < count; i++) input[i] = Math.sin(i * 0.7) * 0.5;
    const results = await session.run({ [inputName]: new ort.Tensor('float32', input, inputDims) });
    const probed = new Map<string, ProbedTensor>();
    for (const [name, tensor] of Object.entries(results)) probed.set(name, fromOrt(tensor));
    return probed;
  } finally {
    await session.release();
  }
}

function fromOrt(tensor: ort.Tensor): ProbedTensor {
  const dataType = ORT_TYPES[tensor.type] ?? 0;
  const dims = [...tensor.dims];
  const data = tensor.data;
  if (data instanceof Float32Array) return { dims, dataType, floats: data };
  if (data instanceof Float64Array) return { dims, dataType, floats: Float32Array.from(data) };
  if (data instanceof BigInt64Array) return { dims, dataType, ints: Array.from(data, Number) };
  if (data instanceof Int32Array || data instanceof Uint8Array || data instanceof Int8Array) {
    return { dims, dataType, ints: Array.from(data) };
  }
  return { dims, dataType };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
