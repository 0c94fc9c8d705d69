/** Text embeddings for semantic-distance objectives: the provider interface, the offline default, OpenAI-compatible endpoints. */
export { cosineSimilarity } from './provider.js';
export type { EmbeddingProvider, TextEmbedding } from './provider.js';
export { DEFAULT_EMBEDDINGS_PATH, loadWordVectors, offlineEmbeddings } from './offline.js';
export type { OfflineEmbeddingOptions } from './offline.js';
export { embedWithWordVectors, FloatWordVectors, QuantizedWordVectors, WordVectorEmbeddings } from './word-vectors.js';
export type { WordVectorOptions, WordVectors } from './word-vectors.js';
export { isStopWord, tokenize } from './tokenize.js';
