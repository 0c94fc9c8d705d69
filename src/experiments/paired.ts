/**
 * Paired per-image comparison of two deletion/insertion rows scored on the same images (same order): for each
 * curve, the mean difference ± its standard error and how many images the first row wins, and a verdict —
 * "better"/"worse" only when the mean difference exceeds twice its standard error, "a tie" otherwise (the
 * images differ far more than the methods do). Lower deletion and higher insertion are better.
 */
import type { EvalRow } from './deletion-insertion-eval.js';

export type Verdict = 'better' | 'worse' | 'a tie';
export type Curve = 'deletion' | 'insertion';

export interface CurveComparison {
  mean: number;
  se: number;
  wins: number;
  images: number;
  verdict: Verdict;
  text: string;
}

export interface PairedComparison {
  deletion: CurveComparison;
  insertion: CurveComparison;
  text: string;
}

/** undefined when the rows were not scored on the same images (different counts) or on fewer than 2. */
export function pairedComparison(a: Pick<EvalRow, 'perImage'>, b: Pick<EvalRow, 'perImage'>): PairedComparison | undefined {
  const n = a.perImage?.deletion.length ?? 0;
  if (n < 2 || b.perImage?.deletion.length !== n) return undefined;
  const part = (key: Curve, better: 1 | -1): CurveComparison => {
    const diff = a.perImage[key].map((v, i) => v - b.perImage[key][i]!);
    const mean = diff.reduce((s, v) => s + v, 0) / n;
    const se = Math.sqrt(diff.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1) / n);
    const wins = diff.filter((v) => better * v > 0).length;
    const verdict: Verdict = Math.abs(mean) <= 2 * se ? 'a tie' : better * mean > 0 ? 'better' : 'worse';
    const text = `${key} ${mean >= 0 ? '+' : '−'}${Math.abs(mean).toFixed(3)} ± ${se.toFixed(3)} (${verdict}; ahead on ${wins}/${n} images)`;
    return { mean, se, wins, images: n, verdict, text };
  };
  const deletion = part('deletion', -1);
  const insertion = part('insertion', 1);
  return { deletion, insertion, text: `paired per image, difference ± s.e.: ${deletion.text}; ${insertion.text}` };
}
