import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { buildGraph } from '../scripts/build-wordnet.js';
import { LrsalError } from '../src/core/errors.js';
import {
  bestMatchingLabel,
  multiLabelObjective,
  UNKNOWN_PREDICTION_DISTANCE,
  wordnetObjective,
} from '../src/objectives/wordnet-distance.js';
import {
  classSynsets,
  defaultWordNetGraphPath,
  loadWordNet,
  lookupNouns,
  nounBaseForms,
  offsetToWnid,
  pathDistanceFor,
  resolveLabel,
  WordNetNouns,
  wnidToOffset,
  type Synset,
} from '../src/wordnet/index.js';

const wordnet = loadWordNet();
const distances = pathDistanceFor(wordnet);
const get = (wnid: string): Synset => wordnet.requireSynset(wnid);
const imagenet = JSON.parse(readFileSync(new URL('../../models/imagenet-classes.json', import.meta.url), 'utf8')) as {
  wnid: string;
  lemmas: string[];
}[];
const imagenetSynsets = classSynsets(wordnet, imagenet.map((c) => c.wnid));

// Offsets below were read by hand from WordNet 3.0 data.noun (the '@' / '@i' pointers of each line).
const TABBY = 'n02123045'; // @ domestic_cat 02121808
const TIGER_CAT = 'n02123159'; // @ domestic_cat 02121808
const DOMESTIC_CAT = 'n02121808'; // @ cat 02121620, @ domestic_animal 01317541
const DOG = 'n02084071'; // @ canine 02083346, @ domestic_animal 01317541
const TENCH = 'n01440764'; // @ cyprinid 01439121
const GOLDFISH = 'n01443537'; // @ cyprinid 01439121
const GOLDEN_RETRIEVER = 'n02099601'; // @ retriever → sporting_dog → hunting_dog → dog
const CHIHUAHUA = 'n02085620'; // @ toy_dog → dog
const AIRLINER = 'n02690373';
const GREAT_WHITE_SHARK = 'n01484850';

/** Reference distance by a different algorithm: every hypernym path to the root, enumerated recursively. */
function referenceDistance(a: Synset, b: Synset): number {
  const ancestors = (s: Synset, steps: number, into: Map<string, number>): Map<string, number> => {
    if ((into.get(s.id) ?? Infinity) > steps) into.set(s.id, steps);
    for (const parent of wordnet.hypernyms(s)) ancestors(parent, steps + 1, into);
    return into;
  };
  const fromA = ancestors(a, 0, new Map());
  const fromB = ancestors(b, 0, new Map());
  let best = Infinity;
  for (const [id, d] of fromA) if (fromB.has(id)) best = Math.min(best, d + fromB.get(id)!);
  return best;
}

/** Deterministic pseudo-random pairs so failures reproduce. */
function* samplePairs(count: number): Generator<[Synset, Synset]> {
  let seed = 12345;
  const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) % imagenetSynsets.length;
  for (let i = 0; i < count; i++) yield [imagenetSynsets[next()]!, imagenetSynsets[next()]!];
}

test('the shipped graph sits where the loader looks and holds all 82,115 WordNet 3.0 noun synsets', () => {
  assert.ok(existsSync(defaultWordNetGraphPath()), defaultWordNetGraphPath());
  assert.equal(wordnet.size, 82115);
  assert.equal(loadWordNet(), wordnet, 'loaded once and shared');
});

test('wnid helpers convert between n01440764 and the data.noun offset and reject malformed ids', () => {
  assert.equal(wnidToOffset('n01440764'), 1440764);
  assert.equal(wnidToOffset('01440764'), 1440764);
  assert.equal(wnidToOffset('N01440764'), 1440764);
  assert.equal(offsetToWnid(1440764), 'n01440764');
  for (const bad of ['n0144076', 'v01440764', 'tench', '', -1, 1.5]) {
    assert.throws(() => wnidToOffset(bad), (e: unknown) => e instanceof LrsalError && e.code === 'INVALID_ARGUMENT', String(bad));
  }
});

test('synsets carry their data.noun lemmas with underscores turned into spaces', () => {
  assert.deepEqual(get(TABBY).lemmas, ['tabby', 'tabby cat']);
  assert.deepEqual(get('n15075141').lemmas, ['toilet tissue', 'toilet paper', 'bathroom tissue']);
  assert.equal(get(TENCH).id, '01440764');
  assert.equal(get(TENCH).wnid, TENCH);
  assert.equal(wordnet.synset('n00000001'), undefined);
  assert.throws(() => wordnet.requireSynset('n00000001'), (e: unknown) => e instanceof LrsalError && e.code === 'UNKNOWN_TARGET');
});

test('every ImageNet class resolves to the synset with the lemmas recorded in imagenet-classes.json', () => {
  assert.equal(imagenetSynsets.length, 1000);
  imagenet.forEach((c, i) => assert.deepEqual(imagenetSynsets[i]!.lemmas, c.lemmas, c.wnid));
});

test('hypernyms include both ordinary and instance pointers', () => {
  assert.deepEqual(wordnet.hypernyms(get(TABBY)).map((s) => s.wnid), [DOMESTIC_CAT]);
  assert.deepEqual(wordnet.hypernyms(get(DOG)).map((s) => s.wnid).sort(), ['n01317541', 'n02083346']);
  // Stephen Crane is an instance (@i) of poet.
  assert.deepEqual(wordnet.hypernyms(get('n10914331')).map((s) => s.lemmas[0]), ['poet']);
  assert.ok(wordnet.hyponyms(get(DOMESTIC_CAT)).some((s) => s.wnid === TABBY));
});

test('path distances match hand-counted hypernym paths', () => {
  assert.equal(distances.distance(get(TABBY), get(TABBY)), 0);
  assert.equal(distances.distance(get(TABBY), get(DOMESTIC_CAT)), 1);
  assert.equal(distances.distance(get(TABBY), get(TIGER_CAT)), 2, 'siblings under domestic cat');
  assert.equal(distances.distance(get(TENCH), get(GOLDFISH)), 2, 'siblings under cyprinid');
  // Dog breeds meet at dog: 4 edges up from golden retriever, 2 from Chihuahua.
  assert.equal(distances.distance(get(GOLDEN_RETRIEVER), get(DOG)), 4);
  assert.equal(distances.distance(get(CHIHUAHUA), get(DOG)), 2);
  assert.equal(distances.distance(get(GOLDEN_RETRIEVER), get(CHIHUAHUA)), 6);
  // Cats and dogs meet at domestic animal (a second hypernym of both): tabby 2 up, golden retriever 5 up.
  assert.equal(distances.distance(get(TABBY), get(GOLDEN_RETRIEVER)), 7);
  // An instance hypernym counts as an edge: Stephen Crane → poet.
  assert.equal(distances.distance(get('n10914331'), get('n10444194')), 1);
});

test('unrelated classes are far apart and distance is symmetric', () => {
  const far = distances.distance(get(TABBY), get(AIRLINER));
  assert.ok(far >= 10, `tabby–airliner ${far}`);
  assert.equal(distances.distance(get(AIRLINER), get(TABBY)), far);
  assert.ok(far > distances.distance(get(TABBY), get(GOLDEN_RETRIEVER)));
});

test('BFS distances agree with an exhaustive path enumeration on 300 ImageNet pairs', () => {
  for (const [a, b] of samplePairs(300)) {
    assert.equal(distances.distance(a, b), referenceDistance(a, b), `${a.wnid} ${b.wnid}`);
  }
});

test('distance to the nearest of a set equals the minimum of pairwise distances', () => {
  const targets = imagenetSynsets.filter((_, i) => i % 37 === 0);
  const nearest = distances.nearestIn(targets);
  for (const [a] of samplePairs(40)) {
    const expected = Math.min(...targets.map((t) => distances.distance(a, t)));
    assert.equal(nearest(a), expected, a.wnid);
  }
  assert.equal(distances.nearestIn(imagenetSynsets)(get(DOG)), 1, 'dog is the parent of several breeds');
});

test('noun morphology undoes regular and common irregular plurals', () => {
  const cases: [string, string][] = [
    ['cats', 'cat'],
    ['churches', 'church'],
    ['boxes', 'box'],
    ['buses', 'bus'],
    ['women', 'woman'],
    ['ponies', 'pony'],
    ['wolves', 'wolf'],
    ['mice', 'mouse'],
  ];
  for (const [plural, singular] of cases) assert.ok(nounBaseForms(plural).includes(singular), `${plural} → ${singular}`);
  assert.deepEqual(nounBaseForms('glass'), ['glass'], 'words ending in ss are not detached');
});

test('lookup finds multi-word lemmas in free text, case- and plural-insensitively, longest first', () => {
  assert.equal(lookupNouns(wordnet, 'Tabby Cats')[0]?.synset.wnid, TABBY);
  assert.equal(lookupNouns(wordnet, 'Golden Retrievers')[0]?.synset.wnid, GOLDEN_RETRIEVER);
  const shark = lookupNouns(wordnet, 'a photo of a great white shark');
  assert.equal(shark[0]?.synset.wnid, GREAT_WHITE_SHARK);
  assert.equal(shark[0]?.wordCount, 3);
  const wordCounts = shark.map((m) => m.wordCount);
  assert.deepEqual(wordCounts, [...wordCounts].sort((a, b) => b - a), 'ranked by words matched');
  assert.ok(shark.some((m) => m.lemma === 'shark'), 'shorter matches are still offered');
  assert.equal(lookupNouns(wordnet, 'TENCH')[0]?.synset.wnid, TENCH);
  assert.equal(lookupNouns(wordnet, 'St. Bernard')[0]?.synset.wnid, 'n02109525');
  assert.equal(lookupNouns(wordnet, "jack-o-lantern")[0]?.lemma, "jack-o'-lantern");
});

test('lookup ranks the head noun of a phrase and skips filler and function words', () => {
  assert.equal(lookupNouns(wordnet, 'an orange tabby')[0]?.synset.wnid, TABBY);
  assert.equal(lookupNouns(wordnet, 'a photo of a dog')[0]?.synset.wnid, DOG);
  assert.equal(lookupNouns(wordnet, 'crane (bird)')[0]?.lemma, 'Crane', 'brackets end a phrase, so the head is crane');
  assert.equal(lookupNouns(wordnet, 'tabby, cat').every((m) => m.wordCount === 1), true, 'no match spans a comma');
  assert.deepEqual(lookupNouns(wordnet, 'a the it is in'), [], '"a" (ampere), "it", "in" alone are not answers');
  assert.deepEqual(lookupNouns(wordnet, 'xyzzy plugh'), []);
  assert.deepEqual(lookupNouns(wordnet, ''), []);
});

test('resolveLabel prefers ImageNet classes for ambiguous words but keeps the usual sense otherwise', () => {
  const plainCrane = resolveLabel(wordnet, 'crane');
  assert.ok(plainCrane && !['n02012849', 'n03126707'].includes(plainCrane.synset.wnid), 'sense 1 of crane is a person');
  const crane = resolveLabel(wordnet, 'crane', imagenetSynsets);
  assert.ok(crane && ['n02012849', 'n03126707'].includes(crane.synset.wnid), crane?.synset.wnid);
  assert.equal(crane.isClass, true);
  const cat = resolveLabel(wordnet, 'cat', imagenetSynsets);
  assert.equal(cat?.synset.wnid, 'n02121620', 'the feline, not "big cat" one edge from tiger');
  assert.equal(cat?.distanceToClasses, 2);
  assert.equal(resolveLabel(wordnet, 'xyzzy', imagenetSynsets), null);
});

test('resolveLabel takes a class head noun pre-empted by a longer lemma, but not a class modifier', () => {
  // Longest match is the lemma "black and white" (written communication); the head colobus is a class.
  assert.equal(lookupNouns(wordnet, 'black-and-white colobus')[0]?.lemma, 'black and white');
  assert.equal(resolveLabel(wordnet, 'black-and-white colobus', imagenetSynsets)?.synset.wnid, 'n02488702');
  // "hog" (an ImageNet class) only modifies "snake" here.
  const snake = resolveLabel(wordnet, 'eastern hog-nosed snake', imagenetSynsets);
  assert.ok(snake && snake.synset.wnid !== 'n02395406' && snake.match.lemma === 'snake', snake?.match.lemma);
  // A class in a later phrase is not the subject.
  assert.equal(resolveLabel(wordnet, 'a cat on a laptop', imagenetSynsets)?.synset.wnid, 'n02121620');
});

test('objective is minus the path distance, with a fixed worse-than-anything value for unknown predictions', () => {
  assert.equal(wordnetObjective(get(TIGER_CAT), get(TABBY)), -2);
  assert.equal(wordnetObjective(get(TABBY), get(TABBY)), 0);
  assert.equal(wordnetObjective(null, get(TABBY)), -UNKNOWN_PREDICTION_DISTANCE);
  assert.equal(wordnetObjective(null, get(TABBY), { unknownDistance: 20 }), -20);
  assert.throws(() => wordnetObjective(null, get(TABBY), { unknownDistance: Number.NaN }), LrsalError);
});

test('the unknown-prediction distance exceeds any possible noun–noun distance', () => {
  let maxMinDepth = 0;
  for (let i = 0; i < wordnet.size; i += 1) maxMinDepth = Math.max(maxMinDepth, distances.minDepth(wordnet.synsetAt(i)));
  assert.ok(UNKNOWN_PREDICTION_DISTANCE > 2 * maxMinDepth, `max min-depth ${maxMinDepth}`);
});

test('several labels: the one closest to the target counts, ties go to the higher score', () => {
  const target = get(TABBY);
  const labels = [{ synset: get(AIRLINER), score: 0.9 }, { synset: null }, { synset: get(TIGER_CAT), score: 0.05 }];
  assert.deepEqual(bestMatchingLabel(labels, target), { position: 2, distance: 2 });
  assert.equal(multiLabelObjective(labels, target), -2);
  const tied = [{ synset: get(TIGER_CAT), score: 0.1 }, { synset: get('n02123394'), score: 0.3 }]; // Persian cat, also a sibling
  assert.deepEqual(bestMatchingLabel(tied, target), { position: 1, distance: 2 });
  assert.equal(bestMatchingLabel([{ synset: null }], target), null);
  assert.equal(multiLabelObjective([], target), -UNKNOWN_PREDICTION_DISTANCE);
});

test('the build script parses hex word counts, instance hypernyms and sense order', () => {
  const data = [
    '00000010 03 n 01 root 0 000 | the root  ',
    '00000050 05 n 02 big_cat 0 cat 1 001 @ 00000010 n 0000 | a cat  ',
    '00000100 18 n 01 Felix 0 002 @i 00000050 n 0000 ~ 00000010 n 0000 | an instance  ',
  ].join('\n');
  const index = ['  1 header line', 'big_cat n 1 1 @ 1 0 00000050  ', 'cat n 2 1 @ 2 0 00000100 00000050  ', 'felix n 1 0 1 0 00000100  ', 'root n 1 0 1 0 00000010  '].join('\n');
  const file = buildGraph(data, index);
  const built = new WordNetNouns(file);
  assert.deepEqual(built.synset(50)?.lemmas, ['big cat', 'cat']);
  assert.deepEqual(built.synset(50)?.senseRanks, [1, 2]);
  assert.deepEqual(built.hypernyms(built.requireSynset(100)).map((s) => s.id), ['00000050'], '@i kept, ~ dropped');
  assert.deepEqual(built.hypernyms(built.requireSynset(10)), []);
});
