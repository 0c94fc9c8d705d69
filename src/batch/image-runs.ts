/**
 * The runs one image's map is cut into (gradients/shard-ledger.ts): plan (the prediction query, f at the
 * estimates' points, the chunk counts), shards (ranges of chunks), merge (no queries). Each run repeats
 * explain()'s set-up (image, target, σ, gradient source, method) from the same serialisable settings, so
 * the merged map has the bits explain() itself would give. Methods over focused or backprop gradients are
 * sequential: they run whole, one shard per image.
 */
import { invalidArgument, requireInteger } from '../core/errors.js';
import { QueryLedger, metered } from '../core/ledger.js';
import { pick, stripUndefined } from '../core/options.js';
import { scoreModelSigmaGreyLevels, EXPLAIN_DEFAULTS, attributeWithMethod, explain, greyLevel, type ExplainOptions, type Prediction } from '../explain/index.js';
import type { ChunkLedger } from '../gradients/chunks.js';
import { createGradientSource } from '../gradients/registry.js';
import { MergeLedger, PlanLedger, ShardRunLedger, type ChunkRange, type ChunkSum, type ShardPlan } from '../gradients/shard-ledger.js';
import type { RgbImage } from '../io/image.js';
import type { Classifier } from '../models/classifier.js';
import { probabilities, scoreFunction, scoreValue, topK, type ScoreObjective } from '../objectives/scores.js';
import { resolveTarget, type ResolvedTarget } from '../objectives/target.js';

/** explain()'s options that travel to workers (plain data). */
export type BatchExplainOptions = Omit<ExplainOptions, 'differentiable' | 'onProgress' | 'signal' | 'stopSignal'>;

export interface PreparedImage {
  target: ResolvedTarget;
  predictions: Prediction[];
  valueAtX: number;
  plan: ShardPlan;
  /** Queries the plan run spent (prediction included). */
  queries: number;
}

export interface WholeResult {
  target: ResolvedTarget;
  predictions: Prediction[];
  map: Float32Array;
  queries: number;
}

/** Can this configuration's sums be split into chunks? (Focused and backprop cannot.) */
export function shardable(o: BatchExplainOptions): boolean {
  const method = o.method ?? EXPLAIN_DEFAULTS.method;
  const gradient = o.gradient ?? EXPLAIN_DEFAULTS.gradient;
  return method === 'rise' || gradient === 'lr' || gradient === 'blockwise';
}

/** The query that fixes the target and f(x), then a plan run of the method. */
export async function planImage(classifier: Classifier, imagePath: string | Buffer, options: BatchExplainOptions): Promise<PreparedImage> {
  const o = settings(options);
  const { image, input: x } = await classifier.prepare(imagePath);
  const { model, labels } = classifier;
  const scores = await model.scores(x, 1);
  const probs = probabilities(model.scoreKind, scores, 0, model.classes);
  const top = topK(probs, 5);
  const target = resolveTarget(o.target, labels, top[0]!);
  const valueAtX = scoreValue(o.objective as ScoreObjective, model.scoreKind, scores, 0, model.classes, target.index);
  const ledger = new PlanLedger();
  const spent = await runMethod(classifier, x, image, target, valueAtX, o, ledger);
  return {
    target,
    predictions: top.map((index) => ({ index, label: labels[index]!.name, probability: probs[index]! })),
    valueAtX,
    plan: ledger.result,
    queries: 1 + spent,
  };
}

/** One range of chunks: their partial sums and the queries they spent. */
export async function runShard(classifier: Classifier, imagePath: string | Buffer, options: BatchExplainOptions, prepared: PreparedImage, range: ChunkRange): Promise<{ sums: ChunkSum[]; queries: number }> {
  const o = settings(options);
  const { image, input: x } = await classifier.prepare(imagePath);
  const ledger = new ShardRunLedger(prepared.plan, range);
  const spent = await runMethod(classifier, x, image, prepared.target, prepared.valueAtX, o, ledger);
  return { sums: ledger.sums, queries: spent };
}

/** The map from every chunk's sum, without a query. */
export async function mergeImage(classifier: Classifier, imagePath: string | Buffer, options: BatchExplainOptions, prepared: PreparedImage, sums: Iterable<ChunkSum>): Promise<{ image: RgbImage; map: Float32Array }> {
  const o = settings(options);
  const { image, input: x } = await classifier.prepare(imagePath);
  const ledger = new MergeLedger(prepared.plan, sums);
  const map = await runMethod(classifier, x, image, prepared.target, prepared.valueAtX, o, ledger, true);
  return { image, map };
}

/** Sequential configurations: explain() in one go. */
export async function wholeImage(classifier: Classifier, imagePath: string | Buffer, options: BatchExplainOptions): Promise<WholeResult> {
  const r = await explain(classifier, imagePath, options);
  return { target: { index: r.target.index!, label: r.target.label }, predictions: r.predictions, map: r.map, queries: r.queries };
}

type Settings = ReturnType<typeof settings>;

function settings(options: BatchExplainOptions) {
  const o = { ...EXPLAIN_DEFAULTS, ...stripUndefined(options) };
  const budget = requireInteger('queries', o.queries, 1);
  if (budget < 2) throw invalidArgument(`queries must be at least 2 (1 prediction + 1 for the map), got ${budget}`);
  return { ...o, budget };
}

function runMethod(classifier: Classifier, x: Float32Array, image: RgbImage, target: ResolvedTarget, valueAtX: number, o: Settings, chunks: ChunkLedger): Promise<number>;
function runMethod(classifier: Classifier, x: Float32Array, image: RgbImage, target: ResolvedTarget, valueAtX: number, o: Settings, chunks: ChunkLedger, wantMap: true): Promise<Float32Array>;
/** explain()'s method run (same σ, source and options), with a chunk ledger; returns queries spent here, or the map. */
async function runMethod(classifier: Classifier, x: Float32Array, image: RgbImage, target: ResolvedTarget, valueAtX: number, o: Settings, chunks: ChunkLedger, wantMap = false): Promise<number | Float32Array> {
  const ledger = new QueryLedger(o.budget - 1);
  const f = metered(scoreFunction(classifier.model, o.objective as ScoreObjective, target.index), ledger);
  const sigma = o.sigma ?? scoreModelSigmaGreyLevels(o.gradient) * greyLevel(classifier.preprocessing);
  const source = createGradientSource(o.gradient === 'backprop' ? 'lr' : (o.gradient as string), f.shape, { sigma, ...pick(o, ['block', 'noise', 'tile', 'grid', 'survey', 'antithetic', 'baseline', 'batchSize']) });
  const result = await attributeWithMethod(f, x, valueAtX, o.budget - 1, source, { ...o, chunks }, classifier.preprocessing, image);
  return wantMap ? result.map : ledger.spent;
}
