/**
 * Hard-label attacks on real black boxes (an ONNX classifier reduced to its top-1 class, or a label API over
 * HTTP): loading, the true class of each image, and the per-attack ledgers. Used by `lrsal attack hard-label`,
 * `lrsal attack compare` and scripts/attacks-study.ts.
 */
import { estimatedMiFgsm } from '../attacks/estimated-mi-fgsm.js';
import { runHardLabelAttack, summarize, zeroOneSignal, type AttackOutcome, type AttackSummary, type HardLabelAttack } from '../attacks/hard-label.js';
import { hopSkipJump } from '../attacks/hsja.js';
import { classifierHardLabel, fromByteScale, topClassOracle, type ClassDistance } from '../attacks/label-oracles.js';
import { pixelMap, rgbToPixels } from '../attacks/pixels.js';
import { signOpt } from '../attacks/sign-opt.js';
import type { BatchFunction } from '../core/batch-function.js';
import { invalidArgument, LrsalError } from '../core/errors.js';
import { QueryLedger, metered } from '../core/ledger.js';
import { Rng } from '../core/rng.js';
import type { Shape } from '../core/tensor.js';
import { readManifest } from '../experiments/manifest.js';
import { loadImage } from '../io/image.js';
import type { Classifier } from '../models/classifier.js';
import type { RemoteLabelModel } from '../models/remote/types.js';
import { labelFunction } from '../objectives/remote.js';
import { pathDistanceFor } from '../wordnet/distance.js';
import { loadWordNet, type Synset } from '../wordnet/graph.js';
import { resolveLabel } from '../wordnet/label-resolution.js';

export const HARD_LABEL_ATTACKS = ['mi-fgsm', 'hsja', 'sign-opt'] as const;
export const ATTACK_GRADIENTS = ['lr', 'blockwise', 'focused'] as const;
export type HardLabelSignalName = 'wordnet' | 'zero-one';

/** A hard-label black box: how it sees an image file, and f for an image once its true class is known. */
export interface HardLabelBlackBox {
  readonly shape: Shape;
  readonly name: string;
  /** The image as the black box receives it (resized, centre-cropped), pixels in [0, 1]. */
  load(path: string): Promise<Float32Array>;
  /** Asks for the clean answer (one query on `ledger`); f ≤ 0 with that answer as the true class. */
  bind(x0: Float32Array, ledger: QueryLedger, signal: HardLabelSignalName): Promise<{ f: BatchFunction; truth: string; truthIndex?: number }>;
  /** The answer for one image, e.g. to re-verify a saved PNG (one query on `ledger`). */
  answer(x: Float32Array, ledger: QueryLedger): Promise<string>;
}

/** A local classifier seen only through its top-1 class. */
export function classifierBlackBox(classifier: Classifier, name: string): HardLabelBlackBox {
  const p = classifier.preprocessing;
  const shape = { channels: 3, height: p.height, width: p.width };
  const top1 = topClassOracle(classifier.model, pixelMap(p));
  const wordnet = loadWordNet();
  const synsets = classifier.labels.map((l) => (l.wnid ? wordnet.synset(l.wnid) ?? null : null));
  const distances = pathDistanceFor(wordnet);
  const wordnetDistance: ClassDistance = (a, b) => {
    const sa = synsets[a];
    const sb = synsets[b];
    return sa && sb ? Math.max(1, distances.distance(sa, sb)) : 1;
  };
  const oracle: BatchFunction = { shape, evaluate: async (x, n, s) => Float64Array.from(await top1(x, n, s)) };
  return {
    shape,
    name,
    async load(path) {
      const { image } = await classifier.prepare(path);
      return rgbToPixels(image.data, image.height, image.width);
    },
    async bind(x0, ledger, signal) {
      const truthIndex = (await metered(oracle, ledger).evaluate(x0, 1))[0]!;
      const f = classifierHardLabel(shape, top1, truthIndex, signal === 'wordnet' ? wordnetDistance : () => 1);
      return { f, truth: classifier.labels[truthIndex]!.name, truthIndex };
    },
    async answer(x, ledger) {
      return classifier.labels[(await metered(oracle, ledger).evaluate(x, 1))[0]!]!.name;
    },
  };
}

/** A label API (e.g. Cloud Vision, or `lrsal serve-model --api vision`): images go as lossless PNG. */
export function labelApiBlackBox(model: RemoteLabelModel, size = 224): HardLabelBlackBox {
  const shape = { channels: 3, height: size, width: size };
  const wordnet = loadWordNet();
  const topLabel = async (x: Float32Array, ledger: QueryLedger): Promise<string> => {
    ledger.charge(1);
    const [labels] = await model.labels(Float32Array.from(x, (v) => v * 255), 1);
    return labels?.[0]?.label ?? '';
  };
  return {
    shape,
    name: model.endpoint,
    async load(path) {
      const image = await loadImage(path, { resizeShorter: Math.round(size / 0.875), crop: { width: size, height: size } });
      return rgbToPixels(image.data, image.height, image.width);
    },
    async bind(x0, ledger, signal) {
      const truth = await topLabel(x0, ledger);
      const synset: Synset | undefined = resolveLabel(wordnet, truth)?.synset;
      if (!synset) throw new LrsalError('UNKNOWN_TARGET', `the black box answered "${truth}" for the clean image, which names no WordNet noun`);
      const f = fromByteScale(labelFunction(model, synset));
      return { f: signal === 'wordnet' ? f : zeroOneSignal(f), truth };
    },
    answer: topLabel,
  };
}

export interface AttackChoice {
  attack: (typeof HARD_LABEL_ATTACKS)[number];
  gradient?: (typeof ATTACK_GRADIENTS)[number];
}

/** The compare run's rows: the estimated-gradient attack with every estimator, then the two baselines. */
export const COMPARE_ROWS: AttackChoice[] = [
  ...ATTACK_GRADIENTS.map((gradient) => ({ attack: 'mi-fgsm' as const, gradient })),
  { attack: 'hsja' },
  { attack: 'sign-opt' },
];

export function createAttack(choice: AttackChoice): HardLabelAttack {
  if (choice.attack === 'mi-fgsm') return estimatedMiFgsm({ gradient: choice.gradient ?? 'lr' });
  if (choice.attack === 'hsja') return hopSkipJump();
  if (choice.attack === 'sign-opt') return signOpt();
  throw invalidArgument(`unknown attack "${String(choice.attack)}"; choose one of: ${HARD_LABEL_ATTACKS.join(', ')}`);
}

export interface OneAttack extends AttackOutcome {
  truth: string;
}

/** One attack on one image: its own ledger of `queries` (the clean answer included), its own seeded generator. */
export async function attackOne(box: HardLabelBlackBox, x0: Float32Array, choice: AttackChoice, queries: number, seed: number, signal: HardLabelSignalName): Promise<OneAttack> {
  const ledger = new QueryLedger(queries);
  const { f, truth } = await box.bind(x0, ledger, signal);
  const outcome = await runHardLabelAttack(createAttack(choice), f, x0, ledger, new Rng(seed));
  return { ...outcome, queries: ledger.spent, truth };
}

export interface CompareOptions {
  dir: string;
  queries: number;
  limit?: number;
  /** Skip the first `from` manifest entries (seeds stay those of a full run, so split runs can be merged). */
  from?: number;
  seed: number;
  signal: HardLabelSignalName;
  rows?: AttackChoice[];
  /** Called after each image × attack. */
  onOutcome?: (file: string, outcome: OneAttack) => void;
  /** Called after each image with the summaries so far (a long run can be cut short and still report). */
  onImageDone?: (partial: { results: AttackSummary[]; skipped: number }) => void;
}

/**
 * Every attack on every manifest image the black box gets right (clean answer = manifest class, when the
 * black box reports class indices; label APIs are taken at their word), each with the same budget and seed.
 */
export async function compareHardLabel(box: HardLabelBlackBox, o: CompareOptions): Promise<{ results: AttackSummary[]; skipped: number }> {
  const entries = await readManifest(o.dir, o.limit);
  const rows = o.rows ?? COMPARE_ROWS;
  const outcomes = rows.map(() => [] as AttackOutcome[]);
  let skipped = 0;
  const summaries = () => rows.map((row, r) => summarize(row.attack, row.gradient ?? '', o.queries, outcomes[r]!));
  for (const [i, entry] of entries.entries()) {
    if (i < (o.from ?? 0)) continue;
    const x0 = await box.load(entry.path);
    const check = await box.bind(x0, new QueryLedger(1), o.signal);
    if (check.truthIndex !== undefined && check.truthIndex !== entry.index) {
      skipped++;
      continue;
    }
    for (const [r, row] of rows.entries()) {
      const outcome = await attackOne(box, x0, row, o.queries, o.seed + i, o.signal);
      outcomes[r]!.push(outcome);
      o.onOutcome?.(entry.file, outcome);
    }
    o.onImageDone?.({ results: summaries(), skipped });
  }
  return { results: summaries(), skipped };
}
