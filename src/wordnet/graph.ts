/**
 * The WordNet 3.0 noun graph shipped in data/wordnet-nouns.json.gz: synsets, their lemmas and their IS-A
 * (hypernym + instance hypernym) edges. Loaded lazily, once per process; see scripts/build-wordnet.ts.
 */
import { LrsalError } from '../core/errors.js';
import { nodeBuiltin } from '../core/node-builtins.js';
import { WORDNET_GRAPH_FORMAT, type WordNetGraphFile } from './graph-file.js';

/** A noun synset. `id` is the 8-digit byte offset in WordNet 3.0's data.noun; `wnid` is the ImageNet form. */
export interface Synset {
  readonly id: string;
  readonly wnid: string;
  /** Lemmas as WordNet writes them (case kept, underscores turned into spaces), most typical first. */
  readonly lemmas: readonly string[];
  /** Per lemma, its 1-based sense number for that word (1 = the word's most frequent meaning). */
  readonly senseRanks: readonly number[];
  /** Position in the graph's arrays; stable for one data file, used for fast lookups. */
  readonly index: number;
}

/** Where the package keeps the graph: this file runs as dist/src/wordnet/graph.js, the data sits in <package>/data/. */
export const DEFAULT_WORDNET_GRAPH_URL = new URL('../../../data/wordnet-nouns.json.gz', import.meta.url);

/** The shipped graph's file path (Node only). */
export function defaultWordNetGraphPath(): string {
  return nodeBuiltin<typeof import('node:url')>('node:url', 'reading the WordNet graph').fileURLToPath(DEFAULT_WORDNET_GRAPH_URL);
}

/** "n01440764", "01440764" or 1440764 → 1440764; throws INVALID_ARGUMENT for anything else. */
export function wnidToOffset(id: string | number): number {
  if (typeof id === 'number') {
    if (Number.isInteger(id) && id >= 0 && id <= 99_999_999) return id;
  } else {
    const match = /^n?(\d{8})$/i.exec(id.trim());
    if (match) return Number(match[1]);
  }
  throw new LrsalError('INVALID_ARGUMENT', `not a WordNet noun id: ${JSON.stringify(id)} (expected e.g. n01440764 or 01440764)`);
}

/** 1440764 → "n01440764". */
export function offsetToWnid(offset: number): string {
  return `n${offsetToId(offset)}`;
}

function offsetToId(offset: number): string {
  return String(offset).padStart(8, '0');
}

function countLemmas(line: string): number {
  let count = 1;
  for (let at = line.indexOf('|'); at >= 0; at = line.indexOf('|', at + 1)) count++;
  return count;
}

export class WordNetNouns {
  /** Ascending synset offsets (data.noun order), so an id is found by binary search without a 82k-entry Map. */
  private readonly offsets: Int32Array;
  private readonly lemmaLines: readonly string[];
  /** Where each synset's lemmas start in the flattened sense-rank column. */
  private readonly rankStarts: Int32Array;
  private readonly senseRankColumn: readonly number[];
  private readonly hypernymIndices: readonly (readonly number[])[];
  /** Synset objects are made on first access: distance queries touch only a few hundred of 82k. */
  private readonly made: (Synset | undefined)[];
  private hyponymIndices: number[][] | undefined;

  constructor(file: WordNetGraphFile) {
    if (file.format !== WORDNET_GRAPH_FORMAT) {
      throw new LrsalError('INVALID_ARGUMENT', `WordNet graph has format ${JSON.stringify(file.format)}, expected ${WORDNET_GRAPH_FORMAT}`);
    }
    const count = file.offsetDeltas.length;
    this.lemmaLines = file.lemmas.split('\n');
    if (this.lemmaLines.length !== count || file.hypernyms.length !== count) {
      throw new LrsalError('INVALID_ARGUMENT', 'WordNet graph is inconsistent: column lengths differ');
    }
    this.offsets = new Int32Array(count);
    this.rankStarts = new Int32Array(count + 1);
    let offset = 0;
    for (let i = 0; i < count; i++) {
      offset += file.offsetDeltas[i]!;
      this.offsets[i] = offset;
      this.rankStarts[i + 1] = this.rankStarts[i]! + countLemmas(this.lemmaLines[i]!);
    }
    if (this.rankStarts[count] !== file.senseRanks.length) {
      throw new LrsalError('INVALID_ARGUMENT', 'WordNet graph is inconsistent: sense ranks do not match lemmas');
    }
    this.senseRankColumn = file.senseRanks;
    this.hypernymIndices = file.hypernyms;
    this.made = new Array<Synset | undefined>(count);
  }

  /** The synset at a graph index (0 ≤ index < size). */
  synsetAt(index: number): Synset {
    let synset = this.made[index];
    if (!synset) {
      const line = this.lemmaLines[index];
      if (line === undefined) throw new LrsalError('INVALID_ARGUMENT', `synset index ${index} is out of range 0..${this.size - 1}`);
      const id = offsetToId(this.offsets[index]!);
      const senseRanks = this.senseRankColumn.slice(this.rankStarts[index], this.rankStarts[index + 1]);
      synset = { id, wnid: `n${id}`, lemmas: line.split('|'), senseRanks, index };
      this.made[index] = synset;
    }
    return synset;
  }

  /** Calls `visit` for every lemma of every synset without making Synset objects (used to build the lemma index). */
  forEachLemma(visit: (index: number, lemma: string, senseRank: number) => void): void {
    for (let i = 0; i < this.lemmaLines.length; i++) {
      const lemmas = this.lemmaLines[i]!.split('|');
      for (let k = 0; k < lemmas.length; k++) visit(i, lemmas[k]!, this.senseRankColumn[this.rankStarts[i]! + k]!);
    }
  }

  get size(): number {
    return this.offsets.length;
  }

  /** The synset for a wnid / offset, or undefined when WordNet 3.0 has no noun synset there. */
  synset(id: string | number): Synset | undefined {
    const offset = wnidToOffset(id);
    let low = 0;
    let high = this.offsets.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const here = this.offsets[mid]!;
      if (here === offset) return this.synsetAt(mid);
      if (here < offset) low = mid + 1;
      else high = mid - 1;
    }
    return undefined;
  }

  /** Like `synset` but throws UNKNOWN_TARGET when the id is well-formed yet absent. */
  requireSynset(id: string | number): Synset {
    const found = this.synset(id);
    if (!found) throw new LrsalError('UNKNOWN_TARGET', `WordNet 3.0 has no noun synset ${typeof id === 'number' ? offsetToWnid(id) : id}`);
    return found;
  }

  /** Direct hypernyms, instance hypernyms included (they carry the IS-A chain for named entities). */
  hypernyms(synset: Synset): Synset[] {
    return this.hypernymIndicesOf(synset.index).map((i) => this.synsetAt(i));
  }

  /** Direct hyponyms and instances; the reverse index is built on first use. */
  hyponyms(synset: Synset): Synset[] {
    if (!this.hyponymIndices) {
      const reverse: number[][] = Array.from({ length: this.size }, () => []);
      this.hypernymIndices.forEach((parents, child) => parents.forEach((p) => reverse[p]!.push(child)));
      this.hyponymIndices = reverse;
    }
    return this.hyponymIndices[synset.index]!.map((i) => this.synsetAt(i));
  }

  /** Raw index form for graph algorithms that must not allocate Synset arrays. */
  hypernymIndicesOf(index: number): readonly number[] {
    return this.hypernymIndices[index] ?? [];
  }
}

export function parseWordNetGraph(gzipped: Uint8Array, source = 'WordNet graph'): WordNetNouns {
  const { gunzipSync } = nodeBuiltin<typeof import('node:zlib')>('node:zlib', 'decompressing the WordNet graph');
  let file: WordNetGraphFile;
  try {
    file = JSON.parse(new TextDecoder().decode(gunzipSync(gzipped))) as WordNetGraphFile;
  } catch (error) {
    throw new LrsalError('INVALID_ARGUMENT', `${source} is not a gzipped JSON WordNet graph (${(error as Error).message})`);
  }
  return new WordNetNouns(file);
}

export function readWordNetGraph(path: string): WordNetNouns {
  const { readFileSync } = nodeBuiltin<typeof import('node:fs')>('node:fs', 'reading the WordNet graph');
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch {
    throw new LrsalError('FILE_NOT_FOUND', `WordNet graph not found: ${path} (regenerate it with node dist/scripts/build-wordnet.js)`);
  }
  return parseWordNetGraph(bytes, path);
}

let shared: WordNetNouns | undefined;

/**
 * The package's WordNet graph, read on first call and shared afterwards (about 0.15 s and 30 MB, once). In Node it
 * reads the shipped file; elsewhere (a browser) call provideWordNet first.
 */
export function loadWordNet(): WordNetNouns {
  shared ??= readWordNetGraph(defaultWordNetGraphPath());
  return shared;
}

/** Use this graph from now on (a browser build fetches and parses the data itself). */
export function provideWordNet(graph: WordNetNouns | WordNetGraphFile): void {
  shared = graph instanceof WordNetNouns ? graph : new WordNetNouns(graph);
}

/** A function of the graph computed once per graph and shared afterwards (indices, caches). */
export function perGraph<T>(make: (wordnet: WordNetNouns) => T): (wordnet: WordNetNouns) => T {
  const made = new WeakMap<WordNetNouns, T>();
  return (wordnet) => {
    let value = made.get(wordnet);
    if (value === undefined) {
      value = make(wordnet);
      made.set(wordnet, value);
    }
    return value;
  };
}
