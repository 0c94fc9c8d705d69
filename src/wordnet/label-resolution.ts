/**
 * Free-text label → the one synset it most likely means, optionally steered towards a set of classes (e.g. the
 * ImageNet classes a model can output): "crane" next to ImageNet should be the bird or the machine, not Hart Crane.
 */
import type { Synset, WordNetNouns } from './graph.js';
import { pathDistanceFor } from './distance.js';
import { lookupNouns, type LemmaMatch } from './lookup.js';

export interface LabelResolution {
  synset: Synset;
  match: LemmaMatch;
  /** Whether the synset is itself one of the preferred classes. */
  isClass: boolean;
  /** Path distance to the nearest preferred class (0 for a class itself); undefined without preferred classes. */
  distanceToClasses?: number;
}

/**
 * How many graph edges one step down a word's sense list is worth when trading "near a class" against "usual
 * meaning": 2 keeps "cat" the feline (sense 1, two edges from tabby) rather than "big cat" (sense 7, one edge
 * from tiger), yet lets a rare sense win when it is much closer to the classes.
 */
const SENSE_RANK_EDGE_COST = 2;

/**
 * The synsets of the given class indices, from a per-index wnid list such as imagenet-classes.json's `wnid`
 * column. Indices without a wnid or whose wnid is not in WordNet 3.0 are skipped; all indices when none given.
 */
export function classSynsets(
  wordnet: WordNetNouns,
  wnidsByIndex: readonly (string | undefined)[],
  indices?: Iterable<number>,
): Synset[] {
  const wanted = indices ? [...indices] : wnidsByIndex.map((_, i) => i);
  const synsets: Synset[] = [];
  for (const i of wanted) {
    const wnid = wnidsByIndex[i];
    const synset = wnid && /^n\d{8}$/i.test(wnid) ? wordnet.synset(wnid) : undefined;
    if (synset) synsets.push(synset);
  }
  return synsets;
}

/**
 * The best synset for a label, or null when the text names no WordNet noun.
 *
 * Without preferred classes: the top match of `lookupNouns` (longest, content-bearing phrase, usual sense).
 * With them, in this order:
 *   1. a sense of the top phrase that is a class (most frequent such sense): "crane" → the crane classes;
 *   2. a class ending later in the same noun phrase (chunk), i.e. a head noun the longer top phrase
 *      pre-empted: "black-and-white colobus", whose top phrase is the lemma "black and white", → colobus.
 *      Modifiers before the head ("hog-nosed snake") and classes in other phrases ("a cat on a laptop") do
 *      not count;
 *   3. the sense of the top phrase minimising distanceToNearestClass + 2·(senseRank − 1).
 */
export function resolveLabel(wordnet: WordNetNouns, text: string, preferredClasses?: readonly Synset[]): LabelResolution | null {
  const matches = lookupNouns(wordnet, text);
  const top = matches[0];
  if (!top) return null;
  if (!preferredClasses || preferredClasses.length === 0) return { synset: top.synset, match: top, isClass: false };

  const classIndices = new Set(preferredClasses.map((s) => s.index));
  const isClass = (m: LemmaMatch): boolean => classIndices.has(m.synset.index);
  const topPhrase = matches.filter((m) => m.start === top.start && m.wordCount === top.wordCount);
  // `matches` is already in rank order, so the first hit of each rule is its best.
  const topEnd = top.start + top.wordCount;
  const laterHead = (m: LemmaMatch): boolean => m.chunk === top.chunk && m.start + m.wordCount > topEnd && !m.filler;
  const classMatch = topPhrase.find(isClass) ?? matches.find((m) => laterHead(m) && isClass(m));
  if (classMatch) return { synset: classMatch.synset, match: classMatch, isClass: true, distanceToClasses: 0 };

  const distanceToClasses = nearestClassFinder(wordnet, preferredClasses);
  let best: { resolution: LabelResolution; cost: number } | undefined;
  for (const match of topPhrase) {
    const distance = distanceToClasses(match.synset);
    const cost = distance + SENSE_RANK_EDGE_COST * (match.senseRank - 1);
    if (!best || cost < best.cost) {
      best = { resolution: { synset: match.synset, match, isClass: false, distanceToClasses: distance }, cost };
    }
  }
  return best!.resolution;
}

/** Per class list (by identity), the merged ancestor map; callers pass the same array for every label. */
const finders = new WeakMap<readonly Synset[], (synset: Synset) => number>();

function nearestClassFinder(wordnet: WordNetNouns, classes: readonly Synset[]): (synset: Synset) => number {
  let finder = finders.get(classes);
  if (!finder) {
    finder = pathDistanceFor(wordnet).nearestIn(classes);
    finders.set(classes, finder);
  }
  return finder;
}
