/**
 * Scores of perturbation curves beside the AUCs.
 * AOPC (Samek et al. 2017): mean drop of the class probability from the start over the most-relevant-first
 * (MoRF) deletion curve, steps 0…L: higher = the map found what the model uses sooner.
 * MoRF−LeRF (as in Tomsett et al. 2020): the area between the least-relevant-first deletion curve and the
 * most-relevant-first one, AUC(LeRF) − AUC(MoRF): positive when the map's top pixels matter more than its bottom
 * ones; about 0 for a random order; unlike the deletion AUC alone it is not won by merely breaking the image.
 */
import { auc } from './deletion-insertion.js';

export function aopc(morf: readonly number[]): number {
  if (morf.length === 0) return 0;
  const start = morf[0]!;
  return morf.reduce((s, v) => s + (start - v), 0) / morf.length;
}

export function morfMinusLerf(morf: readonly number[], lerf: readonly number[]): number {
  return auc(lerf) - auc(morf);
}

/** The map that ranks pixels in the opposite order (least relevant first), ties kept in index order. */
export function reversedMap(map: Float32Array): Float32Array {
  return map.map((v) => -v);
}
