/** Independent references for the backprop tests: onnxruntime on the original model and finite differences. */
import * as ort from 'onnxruntime-node';
import { objectiveValue, type BackpropObjective } from '../src/models/differentiable-onnx.js';
import { decodeModel, encodeExtraOutputs } from '../src/backprop/onnx-proto.js';
import { dot, norm } from '../src/core/tensor.js';

export type Logits = (input: Float32Array) => Promise<Float32Array>;

/** Runs the unmodified model in onnxruntime and returns the named logits tensor (exposed as an extra output if needed). */
export async function referenceLogits(bytes: Uint8Array, logitsName: string, inputDims: readonly number[]): Promise<{ logits: Logits; release: () => Promise<void> }> {
  const model = decodeModel(bytes);
  const isOutput = model.graph.outputs.some((o) => o.name === logitsName);
  const extra = isOutput ? new Uint8Array(0) : encodeExtraOutputs([{ name: logitsName }]);
  const full = new Uint8Array(bytes.length + extra.length);
  full.set(bytes);
  full.set(extra, bytes.length);
  const initializers = new Set(model.graph.initializers.map((t) => t.name));
  const inputName = model.graph.inputs.find((i) => !initializers.has(i.name))!.name;
  const session = await ort.InferenceSession.create(full, { intraOpNumThreads: 2 });
  return {
    logits: async (input) => {
      const out = await session.run({ [inputName]: new ort.Tensor('float32', input, inputDims) }, [logitsName]);
      return out[logitsName]!.data as Float32Array;
    },
    release: () => session.release(),
  };
}

/** Seeded standard-normal vector (Box–Muller over mulberry32). */
export function randomNormal(length: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Float32Array.from({ length }, () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()));
}

export { dot, norm };

export function unit(a: ArrayLike<number>): Float32Array {
  const n = norm(a);
  return Float32Array.from(a, (v) => v / n);
}

export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Central difference of the objective along `direction` with step h, evaluated on the reference model. */
export async function centralDifference(
  logits: Logits, x: Float32Array, direction: Float32Array, h: number, target: number, objective: BackpropObjective,
): Promise<number> {
  const shifted = (sign: number): Float32Array => Float32Array.from(x, (v, i) => v + sign * h * direction[i]!);
  const plus = objectiveValue(await logits(shifted(1)), target, objective);
  const minus = objectiveValue(await logits(shifted(-1)), target, objective);
  return (plus - minus) / (2 * h);
}
