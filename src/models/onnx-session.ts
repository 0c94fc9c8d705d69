/**
 * An onnxruntime session as a ScoreModel, whichever onnxruntime runs it: onnxruntime-node (models/onnx.ts)
 * or onnxruntime-web in a browser (browser/onnx-web.ts). Both packages share onnxruntime-common's API; the
 * little used here is typed structurally so this module imports neither.
 */
import { LrsalError, requireFiniteInputs, throwIfAborted } from '../core/errors.js';
import { requireFinite } from '../core/ledger.js';
import { formatShape, sizeOf, type Shape } from '../core/tensor.js';
import type { ScoreKind, ScoreModel } from './model.js';

export interface OnnxModelOptions {
  /** Input to feed; default: the model's first input. */
  inputName?: string;
  /** Output to read; default: an output named like "logits", else the first output. */
  outputName?: string;
  /**
   * What the output holds; default: detected from a probe (every row in [0, 1] summing to 1 → probabilities,
   * else logits). A given kind that the probe contradicts is an error.
   */
  scoreKind?: ScoreKind;
  /** Layout the model wants; default: read from the input shape (channels of 3 at axis 1 → NCHW, axis 3 → NHWC). */
  layout?: 'NCHW' | 'NHWC';
  /** Input height/width when the model's shape leaves them dynamic. */
  height?: number;
  width?: number;
  /** Cap on inputs per onnxruntime run (default none: a call runs as one batch; a fixed batch dimension is its own cap). */
  maxBatch?: number;
  /** onnxruntime intra-op threads (default: all cores; onnxruntime's own default used one core here). */
  threads?: number;
}

export interface OnnxModel extends ScoreModel {
  readonly inputName: string;
  readonly outputName: string;
  readonly layout: 'NCHW' | 'NHWC';
  /** Whether scoreKind was given (option or model card) or detected from the probe's output. */
  readonly scoreKindSource: 'given' | 'detected';
}

/** Largest input accepted, in values per image (a 16k × 16k RGB image): beyond it buffers cannot be allocated. */
export const MAX_INPUT_VALUES = 3 * 16384 * 16384;

/** The part of onnxruntime's InferenceSession this module uses. */
export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata: readonly ({ name: string; isTensor: true; shape: readonly (number | string)[] } | { name: string; isTensor: false })[];
  run(feeds: Record<string, unknown>, fetches: string[]): Promise<Record<string, { dims: readonly number[]; type: string; data: unknown }>>;
  release(): Promise<void>;
}

/** onnxruntime's Tensor constructor (float32 only). */
export type OrtTensorConstructor = new (type: 'float32', data: Float32Array, dims: readonly number[]) => unknown;

/** Wrap a created session: resolve input/output names and geometry, probe once, then score batches. */
export async function scoreModelFromSession(session: OrtSession, Tensor: OrtTensorConstructor, path: string, options: OnnxModelOptions = {}): Promise<OnnxModel> {
  const inputName = options.inputName ?? session.inputNames[0];
  if (!inputName || !session.inputNames.includes(inputName)) {
    throw new LrsalError('MODEL_INVALID', `${path}: no input named ${options.inputName ?? '(any)'}; inputs: ${session.inputNames.join(', ')}`);
  }
  const outputName = options.outputName ?? session.outputNames.find((n) => /logit/i.test(n)) ?? session.outputNames[0]!;
  if (!session.outputNames.includes(outputName)) {
    throw new LrsalError('MODEL_INVALID', `${path}: no output named ${outputName}; outputs: ${session.outputNames.join(', ')}`);
  }
  const meta = session.inputMetadata.find((m) => m.name === inputName);
  const dims = meta && meta.isTensor ? meta.shape : [];
  const geometry = inputGeometry(path, dims, options);
  const fixedBatch = typeof dims[0] === 'number' ? dims[0] : undefined;
  // A dynamic batch runs each call's inputs as one onnxruntime batch: --batch-size means what it says end to end.
  // Only a model with a fixed batch, or an explicit maxBatch cap, splits a call.
  const maxBatch = fixedBatch ?? options.maxBatch ?? Number.MAX_SAFE_INTEGER;
  const shape = geometry.shape;
  const perInput = sizeOf(shape);

  // Probe once so a wrong output shape is caught at load time, not mid-run.
  const probe = await runRaw(session, Tensor, inputName, outputName, new Float32Array(perInput * (fixedBatch ?? 1)), fixedBatch ?? 1, shape, geometry.layout);
  const classes = probe.length / (fixedBatch ?? 1);
  const detected = looksLikeProbabilities(probe, classes) ? 'probabilities' : 'logits';
  if (options.scoreKind && options.scoreKind !== detected) {
    throw new LrsalError(
      'INVALID_ARGUMENT',
      detected === 'logits'
        ? `score kind "probabilities" was given, but output ${outputName} of ${path} is not a probability vector (its rows are not in [0, 1] summing to 1): pass --score-kind logits`
        : `score kind "logits" was given, but output ${outputName} of ${path} holds probabilities (every row is in [0, 1] and sums to 1): pass --score-kind probabilities`,
    );
  }
  const scoreKind = options.scoreKind ?? detected;

  return {
    kind: 'scores',
    inputShape: shape,
    classes,
    scoreKind,
    maxBatch,
    inputName,
    outputName,
    layout: geometry.layout,
    scoreKindSource: options.scoreKind ? 'given' : 'detected',
    async scores(inputs, count, signal) {
      if (inputs.length !== count * perInput) {
        throw new LrsalError('MODEL_SHAPE', `expected ${count} inputs of ${formatShape(shape)} (${count * perInput} values), got ${inputs.length}`);
      }
      requireFiniteInputs(inputs, perInput);
      const out = new Float32Array(count * classes);
      for (let start = 0; start < count; start += maxBatch) {
        throwIfAborted(signal, 'model query');
        const n = Math.min(maxBatch, count - start);
        const chunk = inputs.subarray(start * perInput, (start + n) * perInput);
        const padded = fixedBatch && fixedBatch !== n ? padTo(chunk, fixedBatch * perInput) : chunk;
        const scores = await runRaw(session, Tensor, inputName, outputName, padded, fixedBatch ?? n, shape, geometry.layout);
        out.set(scores.subarray(0, n * classes), start * classes);
      }
      requireFinite(out, `model ${path}`);
      return out;
    },
    async dispose() {
      await session.release();
    },
  };
}

async function runRaw(
  session: OrtSession,
  Tensor: OrtTensorConstructor,
  inputName: string,
  outputName: string,
  data: Float32Array,
  batch: number,
  shape: Shape,
  layout: 'NCHW' | 'NHWC',
): Promise<Float32Array> {
  const feedData = layout === 'NHWC' ? chwToHwc(data, batch, shape) : data;
  const dims = layout === 'NHWC' ? [batch, shape.height, shape.width, shape.channels] : [batch, shape.channels, shape.height, shape.width];
  let result: Awaited<ReturnType<OrtSession['run']>>;
  try {
    result = await session.run({ [inputName]: new Tensor('float32', feedData, dims) }, [outputName]);
  } catch (error) {
    throw new LrsalError('MODEL_INVALID', `model failed to run on a ${dims.join('×')} input (${firstLine(error)})`);
  }
  const output = result[outputName]!;
  // Accept [N, K] and [N, K, 1, 1]; anything else is not a per-class score vector.
  const outDims = output.dims;
  const classDims = outDims.slice(1).filter((d) => d !== 1);
  if (outDims[0] !== batch || classDims.length > 1 || output.type !== 'float32') {
    throw new LrsalError('MODEL_OUTPUT', `output ${outputName} has shape [${outDims.join(',')}] (${output.type}); expected [batch, classes] float32`);
  }
  return output.data as Float32Array;
}

function inputGeometry(path: string, dims: readonly (number | string)[], options: OnnxModelOptions): { shape: Shape; layout: 'NCHW' | 'NHWC' } {
  if (dims.length !== 4 && dims.length !== 0) {
    throw new LrsalError('MODEL_SHAPE', `${path}: input has ${dims.length} dimensions [${dims.join(',')}]; an image classifier takes [batch, C, H, W] or [batch, H, W, C]`);
  }
  const layout = options.layout ?? (dims[3] === 3 && dims[1] !== 3 ? 'NHWC' : 'NCHW');
  const [c, h, w] = layout === 'NCHW' ? [dims[1], dims[2], dims[3]] : [dims[3], dims[1], dims[2]];
  const height = options.height ?? (typeof h === 'number' ? h : undefined);
  const width = options.width ?? (typeof w === 'number' ? w : undefined);
  if (!height || !width) {
    throw new LrsalError('MODEL_SHAPE', `${path}: input size is dynamic ([${dims.join(',')}]); give its height and width in the preprocessing config`);
  }
  if (3 * height * width > MAX_INPUT_VALUES) {
    throw new LrsalError('MODEL_SHAPE', `${path}: input of ${height}×${width} pixels is too large (at most ${MAX_INPUT_VALUES / 3} pixels per image)`);
  }
  if (c !== undefined && c !== 3 && typeof c === 'number') {
    throw new LrsalError('MODEL_SHAPE', `${path}: input has ${c} channels; only RGB (3-channel) image models are supported`);
  }
  return { shape: { channels: 3, height, width }, layout };
}

/** Every row in [0, 1] and summing to 1 (float32 softmax rounding allowed). */
export function looksLikeProbabilities(scores: Float32Array, classes: number): boolean {
  if (classes < 2 || scores.length % classes !== 0) return false;
  for (let row = 0; row < scores.length; row += classes) {
    let sum = 0;
    for (let k = row; k < row + classes; k++) {
      const v = scores[k]!;
      if (!(v >= 0 && v <= 1)) return false;
      sum += v;
    }
    if (Math.abs(sum - 1) > 1e-3) return false;
  }
  return true;
}

function chwToHwc(data: Float32Array, batch: number, shape: Shape): Float32Array {
  const { channels: c, height: h, width: w } = shape;
  const plane = h * w;
  const out = new Float32Array(data.length);
  for (let b = 0; b < batch; b++) {
    const base = b * c * plane;
    for (let ch = 0; ch < c; ch++) for (let i = 0; i < plane; i++) out[base + i * c + ch] = data[base + ch * plane + i]!;
  }
  return out;
}

function padTo(data: Float32Array, length: number): Float32Array {
  const out = new Float32Array(length);
  out.set(data);
  return out;
}

export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.slice(0, 200);
}
