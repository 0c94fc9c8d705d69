/**
 * Splits free text into the words a word-vector vocabulary is looked up with: lower case, accents removed, stop words
 * and answer boilerplate dropped. GloVe was trained on lower-cased Wikipedia + Gigaword tokens, so hyphenated words
 * ("t-shirt") are kept whole here and split by the caller only if the vocabulary lacks them.
 */

/**
 * Function words, plus the boilerplate of a chat model's answer ("The input image belongs to…", "I think this
 * picture shows…") and of its refusals: these words appear in answers about any class, so averaging them in only
 * pulls every answer towards the same point and shrinks the differences the objective measures.
 */
const STOP_WORDS = new Set(
  (
    'a about above after again against all am an and any are as at be because been before being below between both but by ' +
    'can could did do does doing down during each few for from further had has have having he her here hers herself him ' +
    'himself his how i if in into is it its itself just me more most my myself no nor not now of off on once only or other ' +
    'our ours ourselves out over own same she should so some such than that the their theirs them themselves then there ' +
    'these they this those through to too under until up very was we were what when where which while who whom why will ' +
    'with would you your yours yourself yourselves also may might must shall us let lets ' +
    "i'm it's that's there's what's don't doesn't isn't can't cannot i'd i'll i've you're they're we're " +
    // answer boilerplate
    'image images picture photo photograph input belongs belong belonging shows show showing shown depicts depicting ' +
    'contains containing appears looks look seems likely probably maybe perhaps think answer class category object ' +
    'kind type sort ' +
    // refusals ("I don't know", "I'm not sure", "I cannot tell"): no word left, so no vector (detected, not scored)
    "know sure unsure unclear tell say sorry determine identify couldn't won't"
  ).split(/\s+/),
);

export function isStopWord(word: string): boolean {
  return STOP_WORDS.has(word);
}

/**
 * The candidate words of `text`, in order, stop words removed. Apostrophes are normalised to ASCII, a possessive
 * "'s" is dropped ("dog's" → "dog"), other apostrophes kept ("o'clock").
 */
export function tokenize(text: string): string[] {
  const normalised = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[’‘`]/g, "'");
  const words: string[] = [];
  for (const match of normalised.matchAll(/[a-z0-9]+(?:['-][a-z0-9]+)*/g)) {
    let word = match[0];
    if (STOP_WORDS.has(word)) continue;
    if (word.endsWith("'s")) word = word.slice(0, -2);
    if (word !== '' && !STOP_WORDS.has(word)) words.push(word);
  }
  return words;
}
