/**
 * The compact word-vector file shipped in data/: int8 vectors with one float32 scale per word, gzip-compressed.
 * Layout after gunzip (little-endian):
 *   "LRSALEMB" | u32 version | u32 count | u32 dimensions | u32 wordBytes
 *   | words (UTF-8, '\n'-separated, most frequent first) | f32 scale × count | i8 vector × count × dimensions
 * A word's vector is scale × int8 values; scale = max |component| / 127, so the largest component is exact and the
 * rest are within half a step (cosines change by about 0.001).
 */
import { LrsalError } from '../core/errors.js';

const MAGIC = 'LRSALEMB';
export const VOCABULARY_FORMAT_VERSION = 1;
const HEADER_BYTES = MAGIC.length + 4 * 4;

export interface QuantizedVocabulary {
  words: string[];
  dimensions: number;
  /** Per word, the float32 scale of its int8 vector. */
  scales: Float32Array;
  /** count × dimensions int8 components, row-major. */
  vectors: Int8Array;
}

/** Quantises one vector to int8 with its own scale (max |v| / 127). */
export function quantize(vector: ArrayLike<number>, into: Int8Array, at: number): number {
  let max = 0;
  for (let i = 0; i < vector.length; i++) max = Math.max(max, Math.abs(vector[i]!));
  const scale = max / 127;
  for (let i = 0; i < vector.length; i++) into[at + i] = scale === 0 ? 0 : Math.round(vector[i]! / scale);
  return Math.fround(scale);
}

export function encodeVocabulary(v: QuantizedVocabulary): Buffer {
  const words = Buffer.from(v.words.join('\n'), 'utf8');
  if (v.words.some((w) => w.includes('\n') || w === '')) throw new LrsalError('INVALID_ARGUMENT', 'vocabulary words must be non-empty and contain no newline');
  const count = v.words.length;
  const header = Buffer.alloc(HEADER_BYTES);
  header.write(MAGIC, 0, 'latin1');
  header.writeUInt32LE(VOCABULARY_FORMAT_VERSION, 8);
  header.writeUInt32LE(count, 12);
  header.writeUInt32LE(v.dimensions, 16);
  header.writeUInt32LE(words.length, 20);
  const scales = Buffer.alloc(4 * count);
  for (let i = 0; i < count; i++) scales.writeFloatLE(v.scales[i]!, 4 * i);
  const vectors = Buffer.from(v.vectors.buffer, v.vectors.byteOffset, count * v.dimensions);
  return Buffer.concat([header, words, scales, vectors]);
}

export function decodeVocabulary(bytes: Buffer, source: string): QuantizedVocabulary {
  const bad = (why: string) => new LrsalError('INVALID_ARGUMENT', `${source} is not an lrsal embeddings file: ${why}`);
  if (bytes.length < HEADER_BYTES || bytes.toString('latin1', 0, MAGIC.length) !== MAGIC) throw bad('bad magic');
  const version = bytes.readUInt32LE(8);
  if (version !== VOCABULARY_FORMAT_VERSION) throw bad(`format version ${version}, expected ${VOCABULARY_FORMAT_VERSION}`);
  const count = bytes.readUInt32LE(12);
  const dimensions = bytes.readUInt32LE(16);
  const wordBytes = bytes.readUInt32LE(20);
  const scalesAt = HEADER_BYTES + wordBytes;
  const vectorsAt = scalesAt + 4 * count;
  if (bytes.length !== vectorsAt + count * dimensions) throw bad(`length ${bytes.length}, expected ${vectorsAt + count * dimensions}`);
  const words = bytes.toString('utf8', HEADER_BYTES, scalesAt).split('\n');
  if (words.length !== count) throw bad(`${words.length} words for ${count} vectors`);
  const scales = new Float32Array(count);
  for (let i = 0; i < count; i++) scales[i] = bytes.readFloatLE(scalesAt + 4 * i);
  // Copy so the (large) decompressed buffer is not kept alive by a view.
  const vectors = new Int8Array(count * dimensions);
  vectors.set(new Int8Array(bytes.buffer, bytes.byteOffset + vectorsAt, count * dimensions));
  return { words, dimensions, scales, vectors };
}
