/**
 * Objectives for hard-label and text-answer black boxes: the model gives a class name (or a few), not scores, so
 * the saliency objective is how close the answer is to the target in WordNet, f = −pathDistance(predicted, target).
 * f = 0 for the target itself, −1 for its parent or child, −2 for a sibling (tabby vs tiger cat), and so on.
 */
import { LrsalError } from '../core/errors.js';
import { pathDistanceFor } from '../wordnet/distance.js';
import { loadWordNet, type Synset, type WordNetNouns } from '../wordnet/graph.js';
import { parseAnswer, type ParseAnswerOptions } from './answer-parsing.js';

/**
 * Distance charged for a prediction that names no WordNet noun (unparseable answer, empty label list).
 * 37 = 2 × 18 + 1, where 18 is the largest min-depth of any WordNet 3.0 noun: every two nouns meet at `entity`
 * within 36 edges, so an unknown answer always scores strictly worse than any answer that names a noun, however
 * wrong. (Among ImageNet classes the largest distance is 26 and the mean about 12.5.)
 */
export const UNKNOWN_PREDICTION_DISTANCE = 37;

export interface WordNetObjectiveOptions {
  wordnet?: WordNetNouns;
  /** Overrides UNKNOWN_PREDICTION_DISTANCE, e.g. to soften the penalty for noisy chat models. */
  unknownDistance?: number;
}

/** One predicted label; `synset` null when it could not be read as a noun. */
export interface PredictedLabel {
  synset: Synset | null;
  /** The model's confidence, if it gives one; only breaks ties between equally close labels. */
  score?: number;
}

export interface BestMatch {
  /** Position of the chosen label in the input list. */
  position: number;
  distance: number;
}

/** −(path distance) from a single predicted synset to the target; the unknown-prediction value for null. */
export function wordnetObjective(predicted: Synset | null, target: Synset, options: WordNetObjectiveOptions = {}): number {
  if (predicted === null) return objectiveOf(unknownDistance(options));
  return objectiveOf(pathDistanceFor(options.wordnet ?? loadWordNet()).distance(predicted, target));
}

/**
 * Rule for several labels ("use the best-matching one"): the label whose synset is closest to the target wins,
 * whatever its score or rank in the list, so a top-5 that contains the target scores 0. Ties go to the higher
 * score (labels without a score count as −∞), then to the earlier label. Labels with a null synset are skipped;
 * null when no label has a synset.
 */
export function bestMatchingLabel(labels: readonly PredictedLabel[], target: Synset, options: WordNetObjectiveOptions = {}): BestMatch | null {
  const distances = pathDistanceFor(options.wordnet ?? loadWordNet());
  let best: (BestMatch & { score: number }) | null = null;
  for (const [position, label] of labels.entries()) {
    if (label.synset === null) continue;
    const distance = distances.distance(label.synset, target);
    const score = label.score ?? -Infinity;
    if (!best || distance < best.distance || (distance === best.distance && score > best.score)) {
      best = { position, distance, score };
    }
  }
  return best && { position: best.position, distance: best.distance };
}

/** −(distance of the best-matching label); the unknown-prediction value when no label names a noun. */
export function multiLabelObjective(labels: readonly PredictedLabel[], target: Synset, options: WordNetObjectiveOptions = {}): number {
  const best = bestMatchingLabel(labels, target, options);
  return objectiveOf(best === null ? unknownDistance(options) : best.distance);
}

/**
 * The objective of a chat model's free-text answer to ANSWER_PROMPT: parse it (see `parseAnswer`), then
 * −distance of its best synset to the target; the unknown-prediction value when it names no noun.
 */
export function answerObjective(answer: string, target: Synset, options: WordNetObjectiveOptions & ParseAnswerOptions = {}): number {
  const parsed = parseAnswer(answer, options);
  return wordnetObjective(parsed?.synset ?? null, target, options);
}

/** 0 − d rather than −d, so a perfect answer scores +0, not −0 (which prints and compares oddly). */
function objectiveOf(distance: number): number {
  return 0 - distance;
}

function unknownDistance(options: WordNetObjectiveOptions): number {
  const value = options.unknownDistance ?? UNKNOWN_PREDICTION_DISTANCE;
  if (!(Number.isFinite(value) && value >= 0)) {
    throw new LrsalError('INVALID_ARGUMENT', `unknownDistance must be a finite number ≥ 0, got ${value}`);
  }
  return value;
}
