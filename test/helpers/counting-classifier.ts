/** A classifier whose model counts the images it answers, optionally with other scores behind it. */
import type { Classifier } from '../../src/models/classifier.js';
import type { ScoreModel } from '../../src/models/model.js';

/** `scores` (default: the classifier's own model) answers; `asked` counts the images it was asked about. */
export function countingClassifier(
  c: Classifier,
  scores: ScoreModel['scores'] = (inputs, count, signal) => c.model.scores(inputs, count, signal),
  scoreKind: ScoreModel['scoreKind'] = c.model.scoreKind,
): { classifier: Classifier; asked: () => number } {
  let asked = 0;
  const model: ScoreModel = {
    ...c.model,
    kind: 'scores',
    inputShape: c.model.inputShape,
    classes: c.model.classes,
    maxBatch: c.model.maxBatch,
    scoreKind,
    scores: (inputs, count, signal) => {
      asked += count;
      return scores(inputs, count, signal);
    },
  };
  return { classifier: { ...c, model, prepare: (s) => c.prepare(s) }, asked: () => asked };
}
