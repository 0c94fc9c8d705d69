/**
 * Sentence embeddings from word vectors: the mean of the vectors of a text's words (stop words dropped). Crude next
 * to a sentence encoder, but offline, deterministic and fast, and good enough to tell "a tabby cat" from "an
 * airliner". Words the vocabulary lacks are reported as unknown, never guessed.
 */
import { LrsalError } from '../core/errors.js';
import { nounBaseForms } from '../wordnet/morphology.js';
import type { EmbeddingProvider, TextEmbedding } from './provider.js';
import { isStopWord, tokenize } from './tokenize.js';
import type { QuantizedVocabulary } from './vocabulary-file.js';

/** A word → vector table. */
export interface WordVectors {
  readonly dimensions: number;
  readonly size: number;
  has(word: string): boolean;
  /** Adds `weight` × the word's vector to `sum`; false (and no change) when the word is unknown. */
  addTo(word: string, sum: Float64Array, weight: number): boolean;
}

export interface WordVectorOptions {
  /**
   * Read a plural as its singular when both are known ("cats" → "cat"), so "two cats" and "a cat" embed alike
   * (default false: GloVe's plural vectors are already close to the singular ones, and the rule can misfire on
   * words like "news"). An unknown plural is always tried as its singular.
   */
  singularize?: boolean;
}

/** An int8 vocabulary decoded from the shipped file (see vocabulary-file.ts). */
export class QuantizedWordVectors implements WordVectors {
  readonly dimensions: number;
  private readonly rows = new Map<string, number>();

  constructor(private readonly vocabulary: QuantizedVocabulary) {
    this.dimensions = vocabulary.dimensions;
    vocabulary.words.forEach((word, row) => this.rows.set(word, row));
  }

  get size(): number {
    return this.rows.size;
  }

  has(word: string): boolean {
    return this.rows.has(word);
  }

  addTo(word: string, sum: Float64Array, weight: number): boolean {
    const row = this.rows.get(word);
    if (row === undefined) return false;
    const d = this.dimensions;
    const scale = this.vocabulary.scales[row]! * weight;
    const v = this.vocabulary.vectors;
    for (let i = 0, at = row * d; i < d; i++, at++) sum[i]! += scale * v[at]!;
    return true;
  }
}

/** A float table, e.g. the full GloVe set while building the shipped file. */
export class FloatWordVectors implements WordVectors {
  constructor(
    readonly dimensions: number,
    private readonly table: ReadonlyMap<string, ArrayLike<number>>,
  ) {}

  get size(): number {
    return this.table.size;
  }

  has(word: string): boolean {
    return this.table.has(word);
  }

  addTo(word: string, sum: Float64Array, weight: number): boolean {
    const v = this.table.get(word);
    if (v === undefined) return false;
    for (let i = 0; i < this.dimensions; i++) sum[i]! += weight * v[i]!;
    return true;
  }
}

/** The vocabulary words one token stands for: itself, its parts if hyphenated, or its singular; [] if unknown. */
export function resolveToken(vectors: WordVectors, token: string, options: WordVectorOptions = {}): string[] {
  if (vectors.has(token)) {
    if (options.singularize) {
      const singular = nounBaseForms(token).slice(1).find((form) => form.length > 2 && vectors.has(form));
      if (singular) return [singular];
    }
    return [token];
  }
  if (/['-]/.test(token)) {
    // "hen-of-the-woods" → hen, woods: stop words inside a compound carry no more meaning than outside one.
    const parts = token.split(/['-]/).filter((p) => p !== '' && !isStopWord(p));
    const resolved = parts.map((p) => resolveToken(vectors, p, options));
    return resolved.every((r) => r.length > 0) ? resolved.flat() : [];
  }
  const base = nounBaseForms(token).slice(1).find((form) => vectors.has(form));
  return base ? [base] : [];
}

/** The mean word vector of `text`, with the words that counted and the ones that were unknown. */
export function embedWithWordVectors(vectors: WordVectors, text: string, options: WordVectorOptions = {}): TextEmbedding {
  const known: string[] = [];
  const unknown: string[] = [];
  for (const token of tokenize(text)) {
    const words = resolveToken(vectors, token, options);
    if (words.length === 0) unknown.push(token);
    else known.push(...words);
  }
  if (known.length === 0) return { vector: null, known, unknown };
  const sum = new Float64Array(vectors.dimensions);
  for (const word of known) vectors.addTo(word, sum, 1 / known.length);
  return { vector: Float32Array.from(sum), known, unknown };
}

/** An EmbeddingProvider over a word-vector table obtained lazily (the table is loaded on first use, once). */
export class WordVectorEmbeddings implements EmbeddingProvider {
  private table: WordVectors | undefined;

  constructor(
    readonly name: string,
    private readonly load: () => WordVectors,
    private readonly options: WordVectorOptions = {},
  ) {}

  /** The loaded table (loads it on first access). */
  get vectors(): WordVectors {
    this.table ??= this.load();
    return this.table;
  }

  get dimensions(): number {
    return this.vectors.dimensions;
  }

  embedSync(text: string): TextEmbedding {
    return embedWithWordVectors(this.vectors, text, this.options);
  }

  async embed(texts: string[], signal?: AbortSignal): Promise<TextEmbedding[]> {
    if (signal?.aborted) throw new LrsalError('ABORTED', 'embedding aborted');
    return texts.map((text) => this.embedSync(text));
  }
}
