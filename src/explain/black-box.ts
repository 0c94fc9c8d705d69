/**
 * Every kind of black box behind one seam. `openBlackBox` turns what the user passed — a loaded classifier,
 * a remote label or text model, or a plain function with its input shape — into the same few things an
 * explanation needs: how an image becomes an input x, the prediction query that fixes the target and f(x),
 * the scalar function f to explain, the noise defaults that suit the kind, and what was paid.
 */
import type { BatchFunction } from '../core/batch-function.js';
import { invalidArgument, LrsalError, requireFiniteInputs, throwIfAborted } from '../core/errors.js';
import { metered, type QueryLedger } from '../core/ledger.js';
import { sizeOf, type Shape } from '../core/tensor.js';
import type { Classifier } from '../models/classifier.js';
import type { LabelModel, RemoteStats, TextModel } from '../models/remote/types.js';
import { pixelStep, preprocessingSchema, type Preprocessing } from '../models/preprocess.js';
import { resolvePreprocessing } from '../models/model-card.js';
import { REMOTE_OBJECTIVES, type RemoteObjective } from '../objectives/remote.js';
import { probabilities, scoreFunction, scoreValue, SCORE_OBJECTIVES, topK, type ScoreObjective } from '../objectives/scores.js';
import { resolveTarget } from '../objectives/target.js';
import { recording } from './replay.js';
import { DEFAULT_SIGMA_GREY_LEVELS, REMOTE_BLOCK, REMOTE_SIGMA_GREY_LEVELS, type ExplainOptions } from './options.js';
import { remoteObjective } from './remote-objective.js';

/** A plain function: `count` inputs back to back (CHW each) in, one score per input out. */
export type ScoreFunction = (inputs: Float32Array, count: number, signal?: AbortSignal) => Promise<ArrayLike<number>>;

/** What `explain()` explains. */
export type BlackBox = Classifier | LabelModel | TextModel | ScoreFunction;

export interface Prediction {
  index: number;
  label: string;
  probability: number;
}

/** What a map explains: a class of a score model, a WordNet class or answer of a remote model, or f itself. */
export interface ExplainedTarget {
  /** Class index (score models). */
  index?: number;
  /** Human-readable name: class label, WordNet lemma, target answer, or "f". */
  label: string;
  /** WordNet id, when the target is a WordNet class. */
  wnid?: string;
  /** The target as the user gave it (remote models). */
  text?: string;
}

/** The prediction query's outcome: f to explain and what is known at x. */
export interface Resolved {
  f: BatchFunction;
  valueAtX: number;
  target: ExplainedTarget;
  objective: ScoreObjective | RemoteObjective | 'function';
  predictions: Prediction[];
  /** What a remote model answered at x. */
  answer?: string;
  /** Score models: the target class's probability at x. */
  probability?: number;
  /** Remote label/prompt objectives: answers so far that named no known class. */
  unusableAnswers?: () => number;
}

export interface OpenedBlackBox {
  readonly kind: 'scores' | 'labels' | 'text' | 'function';
  readonly shape: Shape;
  /** How 8-bit RGB pixels become inputs (remote models: raw pixels). */
  readonly preprocessing: Preprocessing;
  /** Noise defaults that suit the kind (remote: large σ and blocks; see options.ts). */
  readonly sigma: number;
  readonly block?: number;
  /** Default batch size (remote models: their concurrency). */
  readonly batchSize?: number;
  /**
   * Spends exactly one query (charged to `ledger`) on x, resolves the target(s) and returns the metered f of
   * each: one, or for score models with `topK`/`targets` several, the first querying and the others replaying.
   */
  resolve(x: Float32Array, ledger: QueryLedger, o: ExplainOptions): Promise<Resolved[]>;
  /** Remote totals (sent, cache hits, cost, retries); zeros for local models. */
  stats(): RemoteStats;
  /** The classifier, for the backprop gradient of its model file. */
  readonly classifier?: Classifier;
}

const NO_STATS: RemoteStats = { sent: 0, cacheHits: 0, cost: 0, retries: 0, cacheErrors: 0, cacheWriteErrors: 0 };

function isClassifier(box: BlackBox): box is Classifier {
  return typeof box === 'object' && box !== null && 'model' in box && 'prepare' in box;
}

/** Mean of one grey level in model-input units over the channels (σ defaults are given in grey levels). */
export function greyLevel(p: Preprocessing): number {
  const step = pixelStep(p);
  return step.reduce((a, b) => a + b, 0) / step.length;
}

export function openBlackBox(box: BlackBox, o: ExplainOptions): OpenedBlackBox {
  if (typeof box === 'function') return functionBlackBox(box, o);
  if (isClassifier(box)) return classifierBlackBox(box);
  if (typeof box === 'object' && box !== null && (box.kind === 'labels' || box.kind === 'text')) return remoteBlackBox(box, o);
  throw invalidArgument('explain() takes a loaded classifier (loadClassifier), a remote label or text model, or a function (inputs, count) => scores');
}

/** The classes asked for: `targets`, or the one `target` (default top-1); empty for `topK` (ranks, resolved later). */
function requestedTargets(o: ExplainOptions): Array<string | number | undefined> {
  if (o.targets !== undefined && o.topK !== undefined) throw invalidArgument('give targets or topK, not both');
  if (o.targets !== undefined) {
    if (!Array.isArray(o.targets) || o.targets.length === 0) throw invalidArgument('targets must be a non-empty list of classes');
    return o.targets;
  }
  if (o.topK !== undefined) {
    if (!Number.isInteger(o.topK) || o.topK < 1) throw invalidArgument(`topK must be a positive integer, got ${o.topK}`);
    return [];
  }
  return [o.target];
}

function classifierBlackBox(classifier: Classifier): OpenedBlackBox {
  const { model, labels, preprocessing } = classifier;
  return {
    kind: 'scores',
    shape: model.inputShape,
    preprocessing,
    sigma: DEFAULT_SIGMA_GREY_LEVELS * greyLevel(preprocessing),
    classifier,
    stats: () => NO_STATS,
    async resolve(x, ledger, o) {
      const objective = (o.objective ?? 'logit') as ScoreObjective;
      if (!(SCORE_OBJECTIVES as readonly string[]).includes(objective)) {
        throw invalidArgument(`objective "${objective}" is for remote models; score models take ${SCORE_OBJECTIVES.join(', ')}`);
      }
      ledger.charge(1);
      const scores = await model.scores(x, 1, o.signal);
      ledger.notify();
      const probs = probabilities(model.scoreKind, scores, 0, model.classes);
      const predictions = topK(probs, Math.max(5, o.topK ?? 0)).map((index) => ({ index, label: labels[index]!.name, probability: probs[index]! }));
      const specs = requestedTargets(o);
      if (o.topK !== undefined && o.topK > model.classes) throw invalidArgument(`topK ${o.topK} exceeds the model's ${model.classes} classes`);
      const targets = o.topK !== undefined ? predictions.slice(0, o.topK) : specs.map((spec) => resolveTarget(spec, labels, predictions[0]!.index));
      const top5 = predictions.slice(0, 5);
      const describe = (index: number): ExplainedTarget => ({ index, label: labels[index]!.name, ...(labels[index]?.wnid ? { wnid: labels[index]!.wnid! } : {}) });
      const valueOf = (index: number) => scoreValue(objective, model.scoreKind, scores, 0, model.classes, index);
      if (targets.length === 1) {
        const index = targets[0]!.index;
        return [{ f: metered(scoreFunction(model, objective, index), ledger), valueAtX: valueOf(index), target: describe(index), objective, predictions: top5, probability: probs[index]! }];
      }
      const indices = targets.map((t) => t.index);
      const shared = recording(model.inputShape, indices.length, async (inputs, count, signal) => {
        const rows = await model.scores(inputs, count, signal);
        const out = new Float64Array(count * indices.length);
        for (let i = 0; i < count; i++) {
          for (let k = 0; k < indices.length; k++) out[i * indices.length + k] = scoreValue(objective, model.scoreKind, rows, i * model.classes, model.classes, indices[k]!);
        }
        return out;
      });
      const first = metered(shared.record, ledger);
      return indices.map((index, k) => ({ f: k === 0 ? first : shared.replay(k), valueAtX: valueOf(index), target: describe(index), objective, predictions: top5, probability: probs[index]! }));
    },
  };
}

function remoteBlackBox(model: LabelModel | TextModel, o: ExplainOptions): OpenedBlackBox {
  const { height, width } = model.inputShape;
  if (o.size !== undefined && (o.size !== height || o.size !== width)) {
    throw invalidArgument(`image size ${o.size} differs from the adapter's input shape ${height}×${width}`);
  }
  return {
    kind: model.kind,
    shape: model.inputShape,
    preprocessing: preprocessingSchema.parse({ height, width, resizeShorter: Math.min(height, width) }),
    sigma: REMOTE_SIGMA_GREY_LEVELS,
    block: REMOTE_BLOCK,
    ...(model.concurrency ? { batchSize: model.concurrency } : {}),
    stats: () => model.stats(),
    async resolve(x, ledger, o) {
      const objective = (o.objective ?? (model.kind === 'labels' ? 'label' : 'prompt')) as RemoteObjective;
      if (!(REMOTE_OBJECTIVES as readonly string[]).includes(objective)) {
        throw invalidArgument(`objective "${objective}" is for score models; remote models take ${REMOTE_OBJECTIVES.join(', ')}`);
      }
      if (o.target === undefined || String(o.target).trim() === '') {
        throw new LrsalError('UNKNOWN_TARGET', 'empty target: give a class name, a WordNet id or (semantic) the target answer');
      }
      if (o.topK !== undefined || o.targets !== undefined) {
        throw invalidArgument('topK/targets need a score model; for a remote model, run again with another target: the answer cache makes the rerun free');
      }
      const { answering, target } = await remoteObjective(model, objective, String(o.target), o);
      const f = metered(answering, ledger);
      const valueAtX = (await f.evaluate(x, 1, o.signal))[0]!;
      const unusable = answering.unusableAnswers;
      return [{ f, valueAtX, target, objective, predictions: [], answer: answering.lastAnswers()[0] ?? '', ...(unusable ? { unusableAnswers: () => unusable.call(answering) } : {}) }];
    },
  };
}

function functionBlackBox(fn: (inputs: Float32Array, count: number, signal?: AbortSignal) => Promise<ArrayLike<number>>, o: ExplainOptions): OpenedBlackBox {
  const shape = o.inputShape;
  if (!shape) throw invalidArgument('explaining a function needs inputShape: { channels, height, width } of one input');
  for (const [key, value] of Object.entries(shape)) {
    if (!Number.isInteger(value) || value < 1) throw invalidArgument(`inputShape.${key} must be a positive integer, got ${value}`);
  }
  if (shape.channels !== 3 && o.preprocess !== undefined) throw invalidArgument('preprocess applies to RGB inputs (3 channels) only');
  const preprocessing = resolvePreprocessing(o.preprocess ?? { scale: 1 / 255 }, { height: shape.height, width: shape.width });
  const d = sizeOf(shape);
  const f: BatchFunction = {
    shape,
    async evaluate(inputs, count, signal) {
      if (inputs.length !== count * d) throw new LrsalError('MODEL_SHAPE', `expected ${count} inputs of ${d} values`);
      throwIfAborted(signal, 'function call');
      requireFiniteInputs(inputs, d);
      const values = await fn(inputs, count, signal);
      if (!values || values.length !== count) {
        throw new LrsalError('MODEL_OUTPUT', `the function returned ${values?.length ?? 'nothing'} values for ${count} inputs; it must return one score per input`);
      }
      return Float64Array.from(values);
    },
  };
  return {
    kind: 'function',
    shape,
    preprocessing,
    sigma: DEFAULT_SIGMA_GREY_LEVELS * greyLevel(preprocessing),
    stats: () => NO_STATS,
    async resolve(x, ledger, opts) {
      if (opts.topK !== undefined || opts.targets !== undefined) throw invalidArgument('topK/targets need a score model; a function has one output');
      const metered_ = metered(f, ledger);
      const valueAtX = (await metered_.evaluate(x, 1, opts.signal))[0]!;
      return [{ f: metered_, valueAtX, target: { label: 'f' }, objective: 'function', predictions: [] }];
    },
  };
}
