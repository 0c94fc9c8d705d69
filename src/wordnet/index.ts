/** WordNet 3.0 nouns: the shipped graph, free-text lookup, path distance and label resolution. */
export { DEFAULT_WORDNET_GRAPH_URL, defaultWordNetGraphPath, WordNetNouns, loadWordNet, provideWordNet, offsetToWnid, parseWordNetGraph, readWordNetGraph, wnidToOffset } from './graph.js';
export type { Synset } from './graph.js';
export { PathDistance, pathDistanceFor } from './distance.js';
export { LemmaIndex, lemmaIndexFor, lookupNouns, uncoveredWords } from './lookup.js';
export type { LemmaMatch } from './lookup.js';
export { normalizeTerm, nounBaseForms, phraseBaseForms } from './morphology.js';
export { classSynsets, resolveLabel } from './label-resolution.js';
export type { LabelResolution } from './label-resolution.js';
