/**
 * A saliency map of a remote black box that answers with labels (a label API) or text (a vision chat model).
 * Inputs are raw 8-bit pixels: noise below one grey level would vanish in the PNG sent, so σ defaults to
 * REMOTE_SIGMA_GREY_LEVELS. The budget covers the prediction query too; the adapter's cache makes a
 * restarted run pay only for queries it never sent.
 */
import { join } from 'node:path';
import { invalidArgument, requireInteger } from './core/errors.js';
import { QueryLedger, metered } from './core/ledger.js';
import { pick, stripUndefined } from './core/options.js';
import { validateExplainOptions } from './explain-options.js';
import { attributeWithMethod, EXPLAIN_DEFAULTS, type ExplainOptions } from './explain.js';
import { createGradientSource, type BlackBoxGradientName } from './gradients/registry.js';
import { loadImage, type RgbImage } from './io/image.js';
import type { MethodName } from './methods/registry.js';
import { packageRoot } from './models/config.js';
import { loadLabels } from './models/labels.js';
import { preprocessingSchema, toModelInput } from './models/preprocess.js';
import type { LabelModel, RemoteStats, TextModel } from './models/remote/types.js';
import { offlineEmbeddings } from './embeddings/offline.js';
import type { EmbeddingProvider } from './embeddings/provider.js';
import { labelFunction, promptFunction, resolveTargetSynset, semanticFunction, type AnsweringFunction, type RemoteObjective } from './objectives/remote.js';
import { embedTarget } from './objectives/semantic.js';
import { classSynsets } from './wordnet/label-resolution.js';
import { loadWordNet, type Synset } from './wordnet/graph.js';

/**
 * Defaults for remote black boxes, measured on hard labels (docs/hard-label.md): noise must flip a confident
 * label now and then, and stay far above the PNG's 1-grey-level rounding, so σ is large; large blocks (half the
 * image side) flip labels where plain LR over the whole image gave maps no better than random at ≤ 1000 queries.
 */
export const REMOTE_SIGMA_GREY_LEVELS = 48;
export const REMOTE_BLOCK = 0.5;

/** The semantic objective's question when none is given. */
export const DEFAULT_QUESTION = 'What is in this image? Answer in a few words.';

export interface RemoteExplainOptions extends Omit<ExplainOptions, 'objective' | 'target' | 'differentiable' | 'gradient'> {
  /** label (label APIs), prompt or semantic (chat models); default label / prompt by model kind. */
  objective?: RemoteObjective;
  /** The class (text or WordNet id) — or, for semantic, the target answer text. */
  target: string;
  gradient?: BlackBoxGradientName;
  /** Square side of the image sent (resize shorter side, centre crop); default 224. */
  size?: number;
  /** Classes ambiguous words lean to (default: the 1000 ImageNet classes). */
  classes?: readonly Synset[];
  /** Semantic objective: the question asked (default DEFAULT_QUESTION). */
  question?: string;
  /** Semantic objective: the embedding model (default: the offline GloVe vocabulary shipped in data/). */
  embeddings?: EmbeddingProvider;
}

export interface RemoteExplanation {
  target: { text: string; wnid?: string; lemma?: string };
  /** What the model answered for the unperturbed image, and f there. */
  answer: string;
  valueAtX: number;
  method: MethodName;
  gradient: BlackBoxGradientName;
  objective: RemoteObjective;
  queries: number;
  /** Answers that named no known class (label/prompt objectives; they score as the farthest answer). */
  unusableAnswers?: number;
  stats: RemoteStats;
  seconds: number;
  seed: number;
  sigma: number;
  image: RgbImage;
  map: Float32Array;
}

let imagenetClasses: Synset[] | undefined;
async function defaultClasses(): Promise<Synset[]> {
  imagenetClasses ??= classSynsets(loadWordNet(), (await loadLabels(join(packageRoot(), 'models', 'imagenet-classes.json'))).map((l) => l.wnid));
  return imagenetClasses;
}

export async function explainRemote(model: LabelModel | TextModel, imageSource: string | Buffer, options: RemoteExplainOptions): Promise<RemoteExplanation> {
  const started = performance.now();
  validateExplainOptions(options, 'remote', model.inputShape); // issue 11 item 9: before any query
  const o = { ...EXPLAIN_DEFAULTS, ...stripUndefined(options) };
  const objective: RemoteObjective = options.objective ?? (model.kind === 'labels' ? 'label' : 'prompt');
  const budget = requireInteger('queries', o.queries, 1);
  if (budget < 2) throw invalidArgument(`queries must be at least 2 (1 prediction + 1 for the map), got ${budget}`);
  const size = options.size ?? 224;
  if (size !== model.inputShape.height || size !== model.inputShape.width) {
    throw invalidArgument(`image size ${size} differs from the adapter's input shape ${model.inputShape.height}×${model.inputShape.width}`);
  }
  const preprocessing = preprocessingSchema.parse({ height: size, width: size, resizeShorter: size });
  const image = await loadImage(imageSource, { resizeShorter: size, crop: { width: size, height: size } });
  const x = toModelInput(preprocessing, image.data, size, size);

  const classes = options.classes ?? (await defaultClasses());
  let target: RemoteExplanation['target'];
  let answering: AnsweringFunction;
  if (objective === 'semantic') {
    if (model.kind !== 'text') throw invalidArgument('the semantic objective needs a chat model (--api openai)');
    const provider = options.embeddings ?? offlineEmbeddings();
    answering = semanticFunction(model, options.question ?? DEFAULT_QUESTION, await embedTarget(options.target, provider), provider);
    target = { text: options.target };
  } else {
    const synset = resolveTargetSynset(options.target, classes);
    target = { text: options.target, wnid: synset.wnid, lemma: synset.lemmas[0]! };
    if (objective === 'label') {
      if (model.kind !== 'labels') throw invalidArgument('the label objective needs a label API (--api vision or http)');
      answering = labelFunction(model, synset, classes);
    } else {
      if (model.kind !== 'text') throw invalidArgument('the prompt objective needs a chat model (--api openai)');
      answering = promptFunction(model, synset, classes);
    }
  }

  const ledger = new QueryLedger(budget);
  if (o.onProgress) ledger.onProgress(o.onProgress);
  ledger.stopOn(o.stopSignal);
  const f = metered(answering, ledger);
  const valueAtX = (await f.evaluate(x, 1, o.signal))[0]!;
  const answer = answering.lastAnswers()[0] ?? '';
  const sigma = o.sigma ?? REMOTE_SIGMA_GREY_LEVELS;
  const block = o.block ?? REMOTE_BLOCK;
  const source = createGradientSource(o.gradient, model.inputShape, { sigma, block, ...pick(o, ['noise', 'tile', 'grid', 'survey', 'antithetic', 'baseline', 'batchSize']) });
  const gradient = o.gradient as BlackBoxGradientName;
  const result = await attributeWithMethod(f, x, valueAtX, budget - 1, source, o, preprocessing, image);
  return {
    target,
    answer,
    valueAtX,
    method: o.method,
    gradient,
    objective,
    queries: ledger.spent,
    ...(answering.unusableAnswers ? { unusableAnswers: answering.unusableAnswers() } : {}),
    stats: model.stats(),
    seconds: (performance.now() - started) / 1000,
    seed: o.seed,
    sigma,
    image,
    map: result.map,
  };
}
