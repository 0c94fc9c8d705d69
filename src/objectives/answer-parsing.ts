/**
 * Reads a vision-chat model's answer to ANSWER_PROMPT ("The input image belongs to [MASK]") as WordNet noun synsets.
 * Answers come back in many shapes ("Tabby cat.", "I think it belongs to a golden retriever", 'the class "tench"'),
 * so the parser strips the echoed prompt, prefers quoted text, and leaves the rest to the free-text lemma lookup.
 */
import type { Synset, WordNetNouns } from '../wordnet/graph.js';
import { loadWordNet } from '../wordnet/graph.js';
import { resolveLabel, type LabelResolution } from '../wordnet/label-resolution.js';
import { lookupNouns } from '../wordnet/lookup.js';

/** The prompt the chat model completes; [MASK] is the part it is asked to fill in. */
export const ANSWER_PROMPT = 'The input image belongs to [MASK]';

export interface ParsedAnswer {
  /** The synset the answer most likely names. */
  synset: Synset;
  /** Every synset the answer could name, best first (`synset` is the first). */
  candidates: Synset[];
  /** The words of the answer that matched, normalised ("golden retrievers"). */
  matchedText: string;
  /** The WordNet lemma that matched ("golden retriever"). */
  lemma: string;
  /** Whether `synset` is one of `preferredClasses` (false when none were given). */
  isClass: boolean;
}

export interface ParseAnswerOptions {
  wordnet?: WordNetNouns;
  /** Classes the answer should be read as when ambiguous (e.g. the ImageNet classes, see `classSynsets`). */
  preferredClasses?: readonly Synset[];
}

/** The echoed prompt and its mask placeholder, which carry no answer ("The input image belongs to [MASK]: cat"). */
const PROMPT_ECHO = /\bthe\s+input\s+image\s+belongs\s+to\b|\[\s*mask\s*\]/gi;

/** Text in double or typographic quotes, or in single quotes that are not apostrophes ("it's", "jack-o'-lantern"). */
const QUOTED = /"([^"]+)"|“([^”]+)”|‘([^’]+)’|«([^»]+)»|`([^`]+)`|(?:^|[\s(:])'([^']+)'(?=[\s.,;:!?)]|$)/g;

/**
 * The synset(s) an answer names, or null when it names no known WordNet noun (empty, gibberish, "I don't know").
 * A quoted phrase that resolves wins over the surrounding text; otherwise the whole answer is looked up, longest
 * multi-word lemma first (see `lookupNouns`). With `preferredClasses`, ambiguous words lean to those classes.
 */
export function parseAnswer(answer: string, options: ParseAnswerOptions = {}): ParsedAnswer | null {
  const wordnet = options.wordnet ?? loadWordNet();
  const text = answer.replace(PROMPT_ECHO, ' ');
  for (const quoted of quotedSegments(text)) {
    const parsed = parseSegment(wordnet, quoted, options.preferredClasses);
    if (parsed) return parsed;
  }
  return parseSegment(wordnet, text, options.preferredClasses);
}

function quotedSegments(text: string): string[] {
  return [...text.matchAll(QUOTED)].map((m) => m.slice(1).find((group) => group !== undefined) ?? '').filter((s) => s.trim() !== '');
}

function parseSegment(wordnet: WordNetNouns, text: string, preferredClasses: readonly Synset[] | undefined): ParsedAnswer | null {
  const resolution: LabelResolution | null = resolveLabel(wordnet, text, preferredClasses);
  if (!resolution) return null;
  const others = lookupNouns(wordnet, text)
    .map((m) => m.synset)
    .filter((s) => s.index !== resolution.synset.index);
  return {
    synset: resolution.synset,
    candidates: [resolution.synset, ...others],
    matchedText: resolution.match.text,
    lemma: resolution.match.lemma,
    isClass: resolution.isClass,
  };
}
