/**
 * Objectives for models that return class scores: what scalar f(x) the saliency map explains.
 */
import { LrsalError } from '../core/errors.js';
import type { BatchFunction } from '../core/batch-function.js';
import type { ScoreKind, ScoreModel } from '../models/model.js';

export const SCORE_OBJECTIVES = ['logit', 'probability', 'logProbability'] as const;
export type ScoreObjective = (typeof SCORE_OBJECTIVES)[number];

/** A logit cannot be recovered from probabilities alone. */
function requireObjectiveFits(objective: ScoreObjective, kind: ScoreKind): void {
  if (kind === 'probabilities' && objective === 'logit') {
    throw new LrsalError('INVALID_ARGUMENT', 'this model outputs probabilities, not logits: use the probability or log-probability objective');
  }
}

/** f for one row of scores (`classes` values starting at `offset`). */
export function scoreValue(
  objective: ScoreObjective,
  kind: ScoreKind,
  scores: ArrayLike<number>,
  offset: number,
  classes: number,
  target: number,
): number {
  requireObjectiveFits(objective, kind);
  const t = scores[offset + target]!;
  if (kind === 'probabilities') return objective === 'probability' ? t : Math.log(Math.max(t, 1e-45));
  if (objective === 'logit') return t;
  let max = -Infinity;
  for (let k = 0; k < classes; k++) max = Math.max(max, scores[offset + k]!);
  let sum = 0;
  for (let k = 0; k < classes; k++) sum += Math.exp(scores[offset + k]! - max);
  const logProb = t - max - Math.log(sum);
  return objective === 'logProbability' ? logProb : Math.exp(logProb);
}

/** Class probabilities of one row, whatever the model returns. */
export function probabilities(kind: ScoreKind, scores: ArrayLike<number>, offset: number, classes: number): Float64Array {
  const out = new Float64Array(classes);
  if (kind === 'probabilities') {
    for (let k = 0; k < classes; k++) out[k] = scores[offset + k]!;
    return out;
  }
  let max = -Infinity;
  for (let k = 0; k < classes; k++) max = Math.max(max, scores[offset + k]!);
  let sum = 0;
  for (let k = 0; k < classes; k++) sum += out[k] = Math.exp(scores[offset + k]! - max);
  for (let k = 0; k < classes; k++) out[k]! /= sum;
  return out;
}

/** Indices of the k largest values, largest first. */
export function topK(values: ArrayLike<number>, k: number): number[] {
  return Array.from({ length: values.length }, (_, i) => i)
    .sort((a, b) => values[b]! - values[a]!)
    .slice(0, k);
}

/** The scalar function f(x) = objective(model(x))[target], evaluated in batches. */
export function scoreFunction(model: ScoreModel, objective: ScoreObjective, target: number): BatchFunction {
  if (!Number.isInteger(target) || target < 0 || target >= model.classes) {
    throw new LrsalError('UNKNOWN_TARGET', `target class ${target} is outside the model's ${model.classes} classes`);
  }
  requireObjectiveFits(objective, model.scoreKind);
  return {
    shape: model.inputShape,
    async evaluate(inputs, count, signal) {
      const scores = await model.scores(inputs, count, signal);
      const values = new Float64Array(count);
      for (let i = 0; i < count; i++) values[i] = scoreValue(objective, model.scoreKind, scores, i * model.classes, model.classes, target);
      return values;
    },
  };
}
