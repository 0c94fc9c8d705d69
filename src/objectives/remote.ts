/**
 * f for black boxes that answer with labels or text (the method's hard-label and text objectives):
 *   label  — f = −(WordNet path distance from the best-matching returned label to the target);
 *   prompt — ask "The input image belongs to [MASK]", parse the answer, f = −(path distance to the target);
 *   semantic — ask a free-form question, f = cosine(embedding(answer), embedding(target answer)).
 * Label strings repeat across queries, so each is resolved to a synset once.
 */
import type { BatchFunction } from '../core/batch-function.js';
import { LrsalError } from '../core/errors.js';
import type { EmbeddingProvider } from '../embeddings/provider.js';
import type { LabelAnswer, LabelModel, TextModel } from '../models/remote/types.js';
import { loadWordNet, type Synset } from '../wordnet/graph.js';
import { resolveLabel } from '../wordnet/label-resolution.js';
import { lookupNouns, uncoveredWords } from '../wordnet/lookup.js';
import { closestNames } from './target-suggestions.js';
import { ANSWER_PROMPT, parseAnswer } from './answer-parsing.js';
import { semanticObjectives } from './semantic.js';
import { multiLabelObjective, wordnetObjective, type PredictedLabel } from './wordnet-distance.js';

export const REMOTE_OBJECTIVES = ['label', 'prompt', 'semantic'] as const;
export type RemoteObjective = (typeof REMOTE_OBJECTIVES)[number];

/** What the model said for the last evaluated input (for reports), beside the values. */
export interface AnsweringFunction extends BatchFunction {
  /** The raw answers of the most recent evaluate() call, one per input. */
  lastAnswers(): string[];
  /** Answers so far that named nothing the objective could place (they score as the farthest answer). */
  unusableAnswers?(): number;
}

/**
 * The target as a WordNet synset: a wnid (n02123045) or free text ("tabby cat"), steered towards `classes`.
 * The text must be a noun as a whole: one that only partly names a noun ("no such class" → "class", "the
 * thing on the left" → "left") is refused like an unknown one, with the closest class names suggested, since
 * every query of a run would be spent on the wrong target.
 */
export function resolveTargetSynset(target: string, classes?: readonly Synset[]): Synset {
  const wordnet = loadWordNet();
  const text = target.trim();
  if (text === '') throw new LrsalError('UNKNOWN_TARGET', 'empty target: give a class name (e.g. "tabby cat") or a WordNet id (n02123045)');
  if (/^n\d{8}$/i.test(text)) return wordnet.requireSynset(text);
  const resolved = resolveLabel(wordnet, text, classes);
  const top = lookupNouns(wordnet, text)[0];
  const leftOver = resolved && top ? uncoveredWords(text, [top, resolved.match]) : [];
  if (resolved && leftOver.length === 0) return resolved.synset;
  const names = (classes ?? []).flatMap((s) => s.lemmas);
  const closest = closestNames(text, resolved ? [resolved.match.lemma, ...names] : names, 3);
  const suggest = closest.length > 0 ? `; closest: ${closest.map((n) => `"${n}"`).join(', ')}` : '';
  const why = resolved
    ? `only "${resolved.match.text}" names a WordNet noun (${leftOver.map((w) => `"${w}"`).join(', ')} left over)`
    : 'it names no WordNet noun';
  throw new LrsalError('UNKNOWN_TARGET', `unknown target "${text}": ${why}${suggest}; give a class name or a WordNet id (n02123045)`);
}

export function labelFunction(model: LabelModel, target: Synset, classes?: readonly Synset[]): AnsweringFunction {
  const wordnet = loadWordNet();
  const synsetOf = new Map<string, Synset | null>();
  const resolve = (label: string): Synset | null => {
    if (!synsetOf.has(label)) synsetOf.set(label, resolveLabel(wordnet, label, classes)?.synset ?? null);
    return synsetOf.get(label)!;
  };
  let last: string[] = [];
  let unusable = 0;
  return {
    shape: model.inputShape,
    lastAnswers: () => last,
    unusableAnswers: () => unusable,
    async evaluate(inputs, count, signal) {
      const answers: LabelAnswer[][] = await model.labels(inputs, count, signal);
      last = answers.map((a) => a.map((l) => (l.score === undefined ? l.label : `${l.label} (${l.score.toFixed(2)})`)).join(', '));
      for (const labels of answers) if (labels.every((l) => resolve(l.label) === null)) unusable++;
      return Float64Array.from(answers, (labels) =>
        multiLabelObjective(labels.map((l): PredictedLabel => ({ synset: resolve(l.label), ...(l.score !== undefined ? { score: l.score } : {}) })), target, { wordnet }),
      );
    },
  };
}

export function promptFunction(model: TextModel, target: Synset, classes?: readonly Synset[], prompt = ANSWER_PROMPT): AnsweringFunction {
  const wordnet = loadWordNet();
  const synsetOf = new Map<string, Synset | null>();
  let last: string[] = [];
  let unusable = 0;
  return {
    shape: model.inputShape,
    lastAnswers: () => last,
    unusableAnswers: () => unusable,
    async evaluate(inputs, count, signal) {
      last = await model.answer(inputs, count, prompt, signal);
      return Float64Array.from(last, (answer) => {
        if (!synsetOf.has(answer)) synsetOf.set(answer, parseAnswer(answer, { wordnet, ...(classes ? { preferredClasses: classes } : {}) })?.synset ?? null);
        if (synsetOf.get(answer) === null) unusable++;
        return wordnetObjective(synsetOf.get(answer)!, target, { wordnet });
      });
    },
  };
}

/** Free-form question; f = cosine similarity of the answer's embedding to the target answer's. */
export function semanticFunction(model: TextModel, question: string, target: Float32Array, provider: EmbeddingProvider): AnsweringFunction {
  let last: string[] = [];
  return {
    shape: model.inputShape,
    lastAnswers: () => last,
    async evaluate(inputs, count, signal) {
      last = await model.answer(inputs, count, question, signal);
      return Float64Array.from(await semanticObjectives(last, target, provider, {}, signal));
    },
  };
}
