/**
 * Text embeddings behind one interface, for objectives that score a free-text answer by its meaning
 * (see objectives/semantic.ts). A provider may not know every word: the offline GloVe vocabulary has no entry for
 * "zxqv" or a brand name, so each embedding says which words counted and which were skipped, and an answer with no
 * known word has no vector at all — it is detected, not scored.
 */

export interface TextEmbedding {
  /** The text's embedding; null when no word of the text is known to the provider (nothing to score). */
  vector: Float32Array | null;
  /** Words that contributed to `vector`, as the provider read them (e.g. lower-cased, singular). */
  known: string[];
  /** Words that were skipped because the provider has no vector for them (stop words are neither). */
  unknown: string[];
}

export interface EmbeddingProvider {
  /** Names the provider and its model, e.g. "offline:glove-100d" or "openai:text-embedding-3-small". */
  readonly name: string;
  /** Length of every vector; 0 while unknown (a remote model before its first answer). */
  readonly dimensions: number;
  /** One embedding per text, in order. */
  embed(texts: string[], signal?: AbortSignal): Promise<TextEmbedding[]>;
}

/** Cosine similarity of two vectors of equal length; 0 when either is all zeros. */
export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new RangeError(`cosine of vectors of different lengths (${a.length} vs ${b.length})`);
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  if (aa === 0 || bb === 0) return 0;
  // Rounding can push |cos| a hair over 1; clamp so callers can rely on [−1, 1].
  return Math.max(-1, Math.min(1, dot / Math.sqrt(aa * bb)));
}
