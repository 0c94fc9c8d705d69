/** Text embeddings for semantic-distance objectives: the provider interface, the offline default, OpenAI-compatible endpoints. */
export { cosineSimilarity } from './provider.js';
export type { EmbeddingProvider, TextEmbedding } from './provider.js';
export { DEFAULT_EMBEDDINGS_PATH, loadWordVectors, offlineEmbeddings } from './offline.js';
export type { OfflineEmbeddingOptions } from './offline.js';
export { DEFAULT_EMBEDDINGS_ENDPOINT, openAiEmbeddings } from './openai-compatible.js';
export type { OpenAiEmbeddingOptions, OpenAiEmbeddingProvider } from './openai-compatible.js';
export { embedWithWordVectors, FloatWordVectors, QuantizedWordVectors, WordVectorEmbeddings } from './word-vectors.js';
export type { WordVectorOptions, WordVectors } from './word-vectors.js';
export { isStopWord, tokenize } from './tokenize.js';
export { ANSWER_CHECK_CASES, imagenetClassTexts, runAnswerCheck } from './answer-check.js';
export type { AnswerCheckResult, ClassText } from './answer-check.js';
