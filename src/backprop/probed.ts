/** What the compiler needs to know of each tensor of one forward run: shapes, types, constant values. */
import type { OnnxProto } from './onnx-proto.js';

export interface ProbedTensor {
  readonly dims: readonly number[];
  readonly dataType: number;
  readonly floats?: Float32Array;
  readonly ints?: readonly number[];
}

/** Runs the model once and reports every intermediate tensor (src/models/onnx-probe.ts does it in onnxruntime). */
export type ModelProbe = (
  modelBytes: Uint8Array,
  model: OnnxProto,
  inputName: string,
  inputDims: readonly number[],
) => Promise<Map<string, ProbedTensor>>;
