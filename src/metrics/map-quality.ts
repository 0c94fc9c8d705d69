/**
 * Is a saliency map worth looking at? An all-zero or constant map says nothing (every answer was the same,
 * or unusable), and a run that produced one must not pass silently. Pure: the CLI prints these as warnings,
 * or fails with them under --strict.
 */

export interface RunEvidence {
  /** Answers that named nothing the objective understands (remote models), when known. */
  unusableAnswers?: number;
  /** Queries answered in the run. */
  queries?: number;
}

/** The problems of a map (and of the answers behind it), one line each; empty when there is none. */
export function mapProblems(map: ArrayLike<number>, evidence: RunEvidence = {}): string[] {
  const problems: string[] = [];
  const { unusableAnswers, queries } = evidence;
  if (unusableAnswers !== undefined && unusableAnswers > 0) {
    problems.push(`${unusableAnswers}${queries !== undefined ? ` of ${queries}` : ''} answers named no known class (they count as the farthest answer)`);
  }
  let min = Infinity;
  let max = -Infinity;
  let finite = true;
  for (let i = 0; i < map.length; i++) {
    const v = map[i]!;
    if (!Number.isFinite(v)) finite = false;
    else {
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  if (!finite) problems.push('the map has non-finite values');
  else if (map.length > 0 && min === 0 && max === 0) problems.push('the map is all zeros: no query changed the answer (more queries, a larger --sigma, or another target?)');
  else if (map.length > 0 && min === max) problems.push(`the map is constant (${min}): it ranks no pixel above another`);
  return problems;
}
