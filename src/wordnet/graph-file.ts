/**
 * The on-disk layout of data/wordnet-nouns.json.gz, shared by the build script (writer) and the loader (reader).
 * Columnar so that gzip sees long runs of similar values; synsets appear in data.noun order (ascending offset).
 */
export const WORDNET_GRAPH_FORMAT = 'lrsal-wordnet-nouns/1';

export interface WordNetGraphFile {
  format: typeof WORDNET_GRAPH_FORMAT;
  source: string;
  /** Synset offsets (the 8 digits of a wnid), delta-encoded: offset[i] = sum of offsetDeltas[0..i]. */
  offsetDeltas: number[];
  /** Per synset the lemmas joined by '|', synsets joined by '\n'; underscores already turned into spaces. */
  lemmas: string;
  /** For every lemma, in the flattened order of `lemmas`: its 1-based sense number in index.noun (1 = most frequent). */
  senseRanks: number[];
  /** Per synset the indices (not offsets) of its hypernyms, both '@' and instance '@i'. */
  hypernyms: number[][];
}
