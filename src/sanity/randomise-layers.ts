/**
 * Cascading model-parameter randomisation (Adebayo et al. 2018, "Sanity checks for saliency maps"): the
 * learned parameters of the top k layers are re-drawn at random, from the output down. A saliency map that
 * still looks the same afterwards does not depend on what the model learned.
 * A "layer" is a node that reads float initializers with more than one value (Conv/Gemm weights and
 * biases, batch-norm statistics), in graph order (ONNX graphs are topologically sorted): the last is the top.
 */
import { decodeModel, encodeModel, DataType, type OnnxProto } from '../backprop/onnx-proto.js';
import { LrsalError } from '../core/errors.js';
import { Rng } from '../core/rng.js';

export interface ParameterLayer {
  /** Node name, or "<op> #<index>" when the node has none. */
  name: string;
  opType: string;
  /** Names of the float initializers the layer reads (each belongs to its first reader only). */
  initializers: string[];
}

export function parameterLayers(model: OnnxProto): ParameterLayer[] {
  const learnable = new Map(model.graph.initializers
    .filter((t) => t.dataType === DataType.FLOAT && (t.floats?.length ?? 0) > 1)
    .map((t) => [t.name, t]));
  const taken = new Set<string>();
  const layers: ParameterLayer[] = [];
  for (const [i, node] of model.graph.nodes.entries()) {
    const initializers = node.inputs.filter((name) => learnable.has(name) && !taken.has(name));
    if (initializers.length === 0) continue;
    for (const name of initializers) taken.add(name);
    layers.push({ name: node.name || `${node.opType} #${i}`, opType: node.opType, initializers });
  }
  return layers;
}

/** Mean and standard deviation of a tensor's values. */
function moments(values: Float32Array): { mean: number; std: number } {
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / values.length;
  let sq = 0;
  for (const v of values) sq += (v - mean) ** 2;
  return { mean, std: Math.sqrt(sq / values.length) };
}

/**
 * The model with the initializers of its top `count` layers replaced by Gaussian draws with each tensor's own
 * mean and standard deviation (so activations keep their scale and the network still runs), seeded.
 */
export function randomiseTopLayers(model: OnnxProto, count: number, seed: number): OnnxProto {
  const layers = parameterLayers(model);
  if (!(Number.isInteger(count) && count >= 0 && count <= layers.length)) {
    throw new LrsalError('INVALID_ARGUMENT', `cannot randomise ${count} layers: the model has ${layers.length} layers with parameters`);
  }
  const chosen = new Set(layers.slice(layers.length - count).flatMap((l) => l.initializers));
  const rng = new Rng(seed);
  const initializers = model.graph.initializers.map((t) => {
    if (!chosen.has(t.name) || !t.floats) return t;
    const { mean, std } = moments(t.floats);
    const floats = new Float32Array(t.floats.length);
    for (let i = 0; i < floats.length; i++) floats[i] = mean + std * rng.nextNormal();
    return { ...t, floats };
  });
  return { ...model, graph: { ...model.graph, initializers } };
}

/** Decode ONNX bytes, naming the problem if they cannot be read. */
export function readOnnx(bytes: Uint8Array, name: string): OnnxProto {
  try {
    return decodeModel(bytes);
  } catch (error) {
    throw new LrsalError('MODEL_INVALID', `${name}: not a readable ONNX model (${(error as Error).message})`);
  }
}

export function writeOnnx(model: OnnxProto): Uint8Array {
  return encodeModel(model);
}

/** Which cascade depths to test: `points` depths spread from the top layer to all layers (always both ends). */
export function cascadeDepths(layerCount: number, points: number): number[] {
  if (layerCount === 0) return [];
  if (points >= layerCount) return Array.from({ length: layerCount }, (_, i) => i + 1);
  const depths = new Set<number>([1, layerCount]);
  for (let i = 1; i < points - 1; i++) depths.add(Math.max(1, Math.round((i / (points - 1)) * layerCount)));
  return [...depths].sort((a, b) => a - b);
}
