import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ANSWER_PROMPT, parseAnswer } from '../src/objectives/answer-parsing.js';
import { answerObjective, UNKNOWN_PREDICTION_DISTANCE } from '../src/objectives/wordnet-distance.js';
import { classSynsets, loadWordNet } from '../src/wordnet/index.js';

const wordnet = loadWordNet();
const imagenet = JSON.parse(readFileSync(new URL('../../models/imagenet-classes.json', import.meta.url), 'utf8')) as { wnid: string }[];
const imagenetClasses = classSynsets(wordnet, imagenet.map((c) => c.wnid));

const TABBY = 'n02123045';
const TIGER_CAT = 'n02123159';
const GOLDEN_RETRIEVER = 'n02099601';
const GREAT_WHITE_SHARK = 'n01484850';
const TENCH = 'n01440764';

test('the prompt is the masked sentence the chat model completes', () => {
  assert.match(ANSWER_PROMPT, /belongs to \[MASK\]$/);
});

test('answers with surrounding text, capitals, articles, punctuation and plurals resolve to the named class', () => {
  const cases: [string, string][] = [
    ['tabby cat', TABBY],
    ['Tabby cat.', TABBY],
    ['The input image belongs to a tabby cat.', TABBY],
    ['I think it belongs to a Golden Retriever!', GOLDEN_RETRIEVER],
    ['Golden retrievers', GOLDEN_RETRIEVER],
    ['the class "tench"', TENCH],
    ["It's a 'great white shark'.", GREAT_WHITE_SHARK],
    ['Sure! The image belongs to: **Great White Shark**.', GREAT_WHITE_SHARK],
    ['It most likely belongs to the tench', TENCH],
  ];
  for (const [answer, wnid] of cases) {
    const parsed = parseAnswer(answer);
    assert.equal(parsed?.synset.wnid, wnid, answer);
    assert.equal(parsed.candidates[0], parsed.synset, 'the best synset leads the candidates');
  }
});

test('"tiger cat" is the wild cat (sense 1) unless ImageNet classes are preferred, then the domestic class', () => {
  assert.equal(parseAnswer('TIGER CATS')?.synset.wnid, 'n02126465');
  assert.equal(parseAnswer('TIGER CATS', { preferredClasses: imagenetClasses })?.synset.wnid, TIGER_CAT);
});

test('a quoted phrase wins over other nouns in the answer', () => {
  const parsed = parseAnswer('Not a dog; I would say "tabby cat"');
  assert.equal(parsed?.synset.wnid, TABBY);
  assert.equal(parsed.lemma, 'tabby cat');
});

test('the parse reports which words matched which lemma', () => {
  const parsed = parseAnswer('I think it belongs to two golden retrievers.');
  assert.equal(parsed?.matchedText, 'golden retrievers');
  assert.equal(parsed?.lemma, 'golden retriever');
});

test('answers naming no known noun give null instead of throwing', () => {
  for (const answer of ['', '   ', 'xyzzy qwerty', 'I do not know.', "Sorry, I can't tell.", ANSWER_PROMPT, '...', '42']) {
    assert.equal(parseAnswer(answer), null, JSON.stringify(answer));
  }
});

test('with ImageNet classes preferred, ambiguous words read as classes', () => {
  const withoutClasses = parseAnswer('a crane');
  const withClasses = parseAnswer('a crane', { preferredClasses: imagenetClasses });
  assert.ok(withoutClasses && !withoutClasses.isClass);
  assert.ok(withClasses?.isClass, withClasses?.synset.wnid);
  assert.ok(['n02012849', 'n03126707'].includes(withClasses.synset.wnid));
});

test('answer objective: 0 for the target, −2 for a sibling, the unknown value for gibberish', () => {
  const tabby = wordnet.requireSynset(TABBY);
  assert.equal(answerObjective('It belongs to a tabby cat.', tabby), 0);
  assert.equal(answerObjective('tiger cat', tabby, { preferredClasses: imagenetClasses }), -2, 'sibling under domestic cat');
  // The wild tiger cat: → wildcat → cat ← domestic cat ← tabby.
  assert.equal(answerObjective('tiger cat', tabby), -4);
  assert.equal(answerObjective('no idea, xyzzy', tabby), -UNKNOWN_PREDICTION_DISTANCE);
});
