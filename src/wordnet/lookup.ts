/**
 * Free text → candidate noun synsets. "a photo of two Tabby Cats." finds "tabby cat" (longest multi-word lemma
 * first, plural undone), then the single words. Matching is case-insensitive and ignores punctuation.
 */
import { perGraph, type Synset, type WordNetNouns } from './graph.js';
import { normalizeTerm, phraseBaseForms } from './morphology.js';

export interface LemmaMatch {
  synset: Synset;
  /** The WordNet lemma that matched, as WordNet writes it ("tabby cat"). */
  lemma: string;
  /** The normalised words of the input that matched ("tabby cats"). */
  text: string;
  /** Position of the first matched word and number of words, in the normalised input. */
  start: number;
  wordCount: number;
  /** The lemma's sense number for this synset (1 = its most frequent meaning). */
  senseRank: number;
  /** True when the input word had to be inflected back ("cats" → "cat"); literal matches rank first. */
  inflected: boolean;
  /** True for generic words such as "photo" or "image" that describe the picture rather than its content. */
  filler: boolean;
  /** Which rough noun phrase of the input the match ends in (0 = first); see `splitWords`. */
  chunk: number;
}

interface LemmaEntry {
  index: number;
  lemma: string;
  senseRank: number;
}

/**
 * Function words and answer boilerplate ("I think it belongs to …", "sorry, I can't tell"). Several are WordNet nouns ("a" = ampere,
 * "i" = iodine, "it" = information technology, "in" = inch), so alone they are never matches; they also split the
 * text into chunks (roughly noun phrases) for ranking. Inside a longer lemma they still match ("vitamin a").
 */
const STOP_WORDS = new Set(
  (
    'a an the this that these those there here it its i im me my we our you your he she they them his her their one ' +
    'is are was were be been being am do does did has have had will would can could may might must shall should ' +
    'belongs belong belonging think thinks believe guess says say see seems seem appears appear looks look like likely ' +
    'probably possibly perhaps maybe definitely certainly clearly most more some any very quite rather just also ' +
    'not no yes ok okay of in on at to for from with without by as into onto over under near about between ' +
    'and or but nor so than then sure answer output result called named shows show showing contains depicts ' +
    'sitting standing lying holding wearing playing being using eating running flying swimming ' +
    'know idea dont cant cannot unable sorry unsure unknown unclear tell determine identify none neither'
  ).split(' '),
);

/** Words that name the picture or the question rather than the thing in it; matched only after everything else. */
const FILLER_WORDS = new Set(
  (
    'photo photograph picture image pic input class category label object thing kind type sort item example shot ' +
    'closeup view scene prediction something species breed'
  ).split(' '),
);

export class LemmaIndex {
  private readonly entries = new Map<string, LemmaEntry[]>();
  /** Longest lemma in words, which bounds the spans worth trying. */
  readonly maxWords: number;

  constructor(private readonly wordnet: WordNetNouns) {
    let maxWords = 1;
    wordnet.forEachLemma((index, lemma, senseRank) => {
      const key = normalizeTerm(lemma);
      if (key === '') return;
      let list = this.entries.get(key);
      if (!list) {
        list = [];
        this.entries.set(key, list);
        maxWords = Math.max(maxWords, key.split(' ').length);
      }
      // Variants that normalise alike ("St Bernard"/"St. Bernard") share a key; keep each synset once.
      const existing = list.find((e) => e.index === index);
      if (existing) existing.senseRank = Math.min(existing.senseRank, senseRank);
      else list.push({ index, lemma, senseRank });
    });
    for (const list of this.entries.values()) list.sort((a, b) => a.senseRank - b.senseRank);
    this.maxWords = maxWords;
  }

  /** Synsets having exactly this lemma (after normalisation, no inflection), most frequent sense first. */
  synsetsForLemma(lemma: string): Synset[] {
    return (this.entries.get(normalizeTerm(lemma)) ?? []).map((e) => this.wordnet.synsetAt(e.index));
  }

  /**
   * All noun synsets named in `text`, best first: more words first ("great white shark" before "shark"); then
   * content before filler words; then earlier chunks (phrases split at function words and punctuation), and
   * within a chunk the later word, since English puts the head noun last ("orange tabby" → tabby); then literal
   * before inflected forms ("glasses" the spectacles before "glass"); then the more frequent sense. Each synset
   * appears once.
   */
  lookup(text: string): LemmaMatch[] {
    const { words, segmentOf, chunkOf } = splitWords(text);
    const matches: { match: LemmaMatch; formRank: number }[] = [];
    for (let start = 0; start < words.length; start++) {
      let segmentEnd = start;
      while (segmentEnd < words.length && segmentOf[segmentEnd] === segmentOf[start]) segmentEnd++;
      for (let count = Math.min(this.maxWords, segmentEnd - start); count >= 1; count--) {
        const span = words.slice(start, start + count);
        if (count === 1 && (STOP_WORDS.has(span[0]!) || /^\d+$/.test(span[0]!))) continue;
        const filler = count === 1 && FILLER_WORDS.has(span[0]!);
        phraseBaseForms(span).forEach((form, formRank) => {
          for (const entry of this.entries.get(form) ?? []) {
            const match: LemmaMatch = {
              synset: this.wordnet.synsetAt(entry.index),
              lemma: entry.lemma,
              text: span.join(' '),
              start,
              wordCount: count,
              senseRank: entry.senseRank,
              inflected: formRank > 0,
              filler,
              chunk: chunkOf[start + count - 1]!,
            };
            matches.push({ match, formRank });
          }
        });
      }
    }
    matches.sort(
      (a, b) =>
        b.match.wordCount - a.match.wordCount ||
        Number(a.match.filler) - Number(b.match.filler) ||
        a.match.chunk - b.match.chunk ||
        b.match.start - a.match.start ||
        a.formRank - b.formRank ||
        a.match.senseRank - b.match.senseRank,
    );
    const seen = new Set<number>();
    const ranked: LemmaMatch[] = [];
    for (const { match } of matches) {
      if (seen.has(match.synset.index)) continue;
      seen.add(match.synset.index);
      ranked.push(match);
    }
    return ranked;
  }
}

/**
 * The normalised words of `text`, each with its segment (text between , ; : ! ? and brackets, which no lemma
 * contains, so no match spans them) and its chunk (a new chunk starts at each segment and after each run of stop
 * words; "crane (bird)" and "a dog on the grass" are two chunks each).
 */
function splitWords(text: string): { words: string[]; segmentOf: number[]; chunkOf: number[] } {
  const words: string[] = [];
  const segmentOf: number[] = [];
  const chunkOf: number[] = [];
  let chunk = -1;
  text.split(/[,;:!?()[\]{}]+/).forEach((segment, segmentIndex) => {
    let startsChunk = true;
    for (const word of normalizeTerm(segment).split(' ')) {
      if (word === '') continue;
      const isStop = STOP_WORDS.has(word);
      if (startsChunk && !isStop) chunk++;
      startsChunk = isStop;
      words.push(word);
      segmentOf.push(segmentIndex);
      chunkOf.push(Math.max(chunk, 0));
    }
  });
  return { words, segmentOf, chunkOf };
}

/**
 * Words of `text` that none of `matches` covers, stop words and numbers aside: what a match leaves unexplained
 * ("no such class" matched as "class" leaves "such"). Positions are those of `LemmaMatch.start`/`wordCount`.
 */
export function uncoveredWords(text: string, matches: readonly LemmaMatch[]): string[] {
  const { words } = splitWords(text);
  const covered = (i: number) => matches.some((m) => i >= m.start && i < m.start + m.wordCount);
  return words.filter((w, i) => !covered(i) && !STOP_WORDS.has(w) && !/^\d+$/.test(w));
}

/** The lemma index for a graph, built on first use (about 0.4 s, 30 MB) and shared afterwards. */
export const lemmaIndexFor = perGraph((wordnet) => new LemmaIndex(wordnet));

/** Ranked candidate synsets for free text; see `LemmaIndex.lookup` for the order. */
export function lookupNouns(wordnet: WordNetNouns, text: string): LemmaMatch[] {
  return lemmaIndexFor(wordnet).lookup(text);
}
