/**
 * Text normalisation and noun base forms, after WordNet's `morphy` for nouns: try the word as written, then a few
 * irregular plurals, then the detachment rules (-s, -ses, -xes, -zes, -ches, -shes, -men, -ies, -ful). Callers keep
 * only the forms that are lemmas, so over-generating candidates here is harmless.
 */

/**
 * The key under which lemmas and text are compared: lower case, accents removed, apostrophes and periods dropped
 * ("St. Bernard's" → "st bernards"), every other non-alphanumeric run (hyphen, underscore, slash…) a single space.
 */
export function normalizeTerm(text: string): string {
  // Fast path: most lemmas are already lower-case ASCII words and spaces (this runs 146k times at index build).
  const lower = text.toLowerCase();
  if (/^[a-z0-9]+(?: [a-z0-9]+)*$/.test(lower)) return lower;
  return lower
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/['’`.]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** WordNet's noun detachment rules (morphy's sufx/addr tables for nouns), in its order. */
const NOUN_DETACHMENTS: readonly (readonly [suffix: string, replacement: string])[] = [
  ['s', ''],
  ['ses', 's'],
  ['xes', 'x'],
  ['zes', 'z'],
  ['ches', 'ch'],
  ['shes', 'sh'],
  ['men', 'man'],
  ['ies', 'y'],
];

/**
 * Common irregular plurals. WordNet ships these in noun.exc, which we do not have; this covers the ones an image
 * label is likely to use (animals, people, body parts, everyday objects).
 */
const IRREGULAR_PLURALS: Readonly<Record<string, string>> = {
  mice: 'mouse',
  lice: 'louse',
  geese: 'goose',
  feet: 'foot',
  teeth: 'tooth',
  children: 'child',
  oxen: 'ox',
  people: 'person',
  dice: 'die',
  cacti: 'cactus',
  fungi: 'fungus',
  octopi: 'octopus',
  hippopotami: 'hippopotamus',
  larvae: 'larva',
  antennae: 'antenna',
  bacteria: 'bacterium',
  phenomena: 'phenomenon',
  criteria: 'criterion',
  indices: 'index',
  matrices: 'matrix',
  vertebrae: 'vertebra',
  axes: 'axis',
  oases: 'oasis',
  analyses: 'analysis',
  wolves: 'wolf',
  knives: 'knife',
  leaves: 'leaf',
  loaves: 'loaf',
  halves: 'half',
  calves: 'calf',
  shelves: 'shelf',
  thieves: 'thief',
  wives: 'wife',
  lives: 'life',
  elves: 'elf',
  scarves: 'scarf',
  hooves: 'hoof',
};

/**
 * Candidate base forms of one normalised word, most literal first (the word itself, then irregular, then rules).
 * Words ending in "ss" or of ≤ 2 letters are not detached, as in morphy ("glass", "bus" stay whole, "as" too).
 */
export function nounBaseForms(word: string): string[] {
  const forms = [word];
  const irregular = IRREGULAR_PLURALS[word];
  if (irregular) forms.push(irregular);
  if (word.length > 2 && !word.endsWith('ss')) {
    for (const [suffix, replacement] of NOUN_DETACHMENTS) {
      if (word.endsWith(suffix)) forms.push(word.slice(0, word.length - suffix.length) + replacement);
    }
    // morphy's "-ful" rule: "boxesful" → "boxful" (the plural sits before the suffix).
    if (word.endsWith('ful')) {
      for (const base of nounBaseForms(word.slice(0, -3))) if (base !== word.slice(0, -3)) forms.push(`${base}ful`);
    }
    // -ves → -f / -fe for regular-looking plurals the table above misses ("dwarves", "wharves").
    if (word.endsWith('ves')) forms.push(`${word.slice(0, -3)}f`, `${word.slice(0, -3)}fe`);
  }
  return [...new Set(forms)];
}

/** Base forms of a multi-word term: morphy inflects the head, which in English compounds is the last word. */
export function phraseBaseForms(words: readonly string[]): string[] {
  if (words.length === 0) return [];
  const head = words.slice(0, -1).join(' ');
  return nounBaseForms(words[words.length - 1]!).map((last) => (head ? `${head} ${last}` : last));
}
