/**
 * The offline default provider: mean GloVe word vectors (100-d, Wikipedia 2014 + Gigaword 5) from the compact int8
 * vocabulary shipped in data/ (see data/README.md and scripts/build-embeddings.ts). No network, no dependency; the
 * file is read and decoded on first use, once per process and path.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { LrsalError } from '../core/errors.js';
import { decodeVocabulary } from './vocabulary-file.js';
import { QuantizedWordVectors, WordVectorEmbeddings, type WordVectorOptions, type WordVectors } from './word-vectors.js';

/** This file runs as dist/src/embeddings/offline.js; the data sits in <package>/data/. */
export const DEFAULT_EMBEDDINGS_PATH = fileURLToPath(new URL('../../../data/embeddings-glove-100d.bin.gz', import.meta.url));

export interface OfflineEmbeddingOptions extends WordVectorOptions {
  /** A vocabulary file written by scripts/build-embeddings.ts (default: the shipped one). */
  path?: string;
}

const loaded = new Map<string, QuantizedWordVectors>();

/** The word vectors in `path`, decoded once per process. */
export function loadWordVectors(path: string = DEFAULT_EMBEDDINGS_PATH): WordVectors {
  let vectors = loaded.get(path);
  if (!vectors) {
    vectors = new QuantizedWordVectors(decodeVocabulary(readVocabularyFile(path), path));
    loaded.set(path, vectors);
  }
  return vectors;
}

function readVocabularyFile(path: string): Buffer {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new LrsalError('FILE_NOT_FOUND', `cannot read the embeddings file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  try {
    return gunzipSync(bytes);
  } catch {
    throw new LrsalError('INVALID_ARGUMENT', `${path} is not gzip-compressed`);
  }
}

/** The offline provider; nothing is read until the first `embed` (or `dimensions`). */
export function offlineEmbeddings(options: OfflineEmbeddingOptions = {}): WordVectorEmbeddings {
  const { path, ...wordOptions } = options;
  const name = `offline:glove-100d${wordOptions.singularize ? '+singular' : ''}${path ? `:${path}` : ''}`;
  return new WordVectorEmbeddings(name, () => loadWordVectors(path), wordOptions);
}
