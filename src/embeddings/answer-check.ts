/**
 * The answer-matching check: does the embedding of a chat model's free-text answer land nearest (by cosine) to the
 * right ImageNet class? 24 answers in the shapes chat models give — bare names, sentences with boilerplate,
 * paraphrases ("fire truck" for "fire engine", "polar bear" for "ice bear") — scored top-1 against all 1000
 * classes. Used to choose and verify the shipped vocabulary (scripts/build-embeddings.ts) and in the tests.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cosineSimilarity, type TextEmbedding } from './provider.js';

export const IMAGENET_CLASSES_PATH = fileURLToPath(new URL('../../../models/imagenet-classes.json', import.meta.url));

/** [answer, ImageNet class index it should match]. */
export const ANSWER_CHECK_CASES: ReadonlyArray<readonly [answer: string, classIndex: number]> = [
  ['The input image belongs to tabby.', 281],
  ["It's a golden retriever.", 207],
  ['a jet airliner flying in the sky', 404],
  ['a red sports car', 817],
  ['A goldfish.', 1],
  ['I think it is a banana', 954],
  ['a pizza', 963],
  ['a yellow school bus', 779],
  ['an acoustic guitar', 402],
  ['zebra', 340],
  ['This is a picture of a pineapple', 953],
  ['the class "tench"', 0],
  ['a laptop on a desk', 620],
  ['a lighthouse on a rocky coast', 437],
  ['a cup of espresso', 967],
  ['a large container ship', 510],
  ['a violin', 889],
  ['mountain bike', 671],
  ['an open umbrella', 879],
  ['a teddy bear', 850],
  ['a hummingbird', 94],
  ['cheeseburger with fries', 933],
  ['a polar bear on the ice', 296],
  ['a red fire truck', 555],
];

export interface ClassText {
  index: number;
  text: string;
}

/** The 1000 ImageNet classes by their plain names ("tabby cat", "polar bear", "lighthouse"). */
export function imagenetClassTexts(path: string = IMAGENET_CLASSES_PATH): ClassText[] {
  const rows = JSON.parse(readFileSync(path, 'utf8')) as Array<{ index: number; name: string; simple?: string }>;
  return rows.map((r) => ({ index: r.index, text: r.simple ?? r.name }));
}

export interface AnswerCheckResult {
  correct: number;
  total: number;
  /** Classes whose name has no known word (they cannot be matched). */
  unknownClasses: number;
  /** Per answer: the expected and the best-matching class, and the cosine to each. */
  rows: Array<{ answer: string; expected: number; best: number; bestCosine: number; expectedCosine: number }>;
}

/** Top-1 nearest class of each answer; `embed` is any synchronous text → embedding function. */
export function runAnswerCheck(embed: (text: string) => TextEmbedding, classes: readonly ClassText[] = imagenetClassTexts()): AnswerCheckResult {
  const classVectors = classes.map((c) => ({ index: c.index, vector: embed(c.text).vector }));
  const rows: AnswerCheckResult['rows'] = [];
  for (const [answer, expected] of ANSWER_CHECK_CASES) {
    const a = embed(answer).vector;
    let best = -1;
    let bestCosine = -Infinity;
    let expectedCosine = NaN;
    for (const c of classVectors) {
      if (a === null || c.vector === null) continue;
      const cos = cosineSimilarity(a, c.vector);
      if (c.index === expected) expectedCosine = cos;
      if (cos > bestCosine) [best, bestCosine] = [c.index, cos];
    }
    rows.push({ answer, expected, best, bestCosine, expectedCosine });
  }
  return {
    correct: rows.filter((r) => r.best === r.expected).length,
    total: rows.length,
    unknownClasses: classVectors.filter((c) => c.vector === null).length,
    rows,
  };
}
