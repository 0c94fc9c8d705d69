/**
 * Builds the compact WordNet 3.0 noun graph that lrsal ships (data/wordnet-nouns.json.gz) from the Princeton
 * database files data.noun and index.noun, and copies WordNet's LICENSE beside it (the licence requires the notice).
 *
 * Usage: node dist/scripts/build-wordnet.js [wordnetDir]
 *   wordnetDir defaults to $LRSAL_WORDNET_DIR, else ../shared/assets/wordnet relative to the repo root.
 *
 * The output is deterministic (same input → same bytes), so regenerating it gives a clean git diff.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { WORDNET_GRAPH_FORMAT, type WordNetGraphFile } from '../src/wordnet/graph-file.js';

/** Repo root: the compiled script runs from dist/scripts/. */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

interface ParsedSynset {
  offset: number;
  lemmas: string[];
  hypernymOffsets: number[];
}

/** Parses one data.noun line: offset lex_filenum ss_type w_cnt(hex) [word lex_id]… p_cnt(dec) [ptr offset pos src/tgt]… | gloss */
function parseDataLine(line: string): ParsedSynset {
  const fields = line.slice(0, line.indexOf(' | ') >= 0 ? line.indexOf(' | ') : line.length).trim().split(' ');
  const offset = Number(fields[0]);
  const wordCount = parseInt(fields[3]!, 16);
  const lemmas: string[] = [];
  let at = 4;
  for (let i = 0; i < wordCount; i++, at += 2) {
    const word = fields[at]!.replace(/_/g, ' ');
    if (/[|\n]/.test(word)) throw new Error(`lemma "${word}" at ${fields[0]} contains a separator character`);
    lemmas.push(word);
  }
  const pointerCount = Number(fields[at++]);
  const hypernymOffsets: number[] = [];
  for (let i = 0; i < pointerCount; i++, at += 4) {
    const symbol = fields[at];
    // '@' hypernym and '@i' instance hypernym, both as NLTK's path distances use them; other pointers are not IS-A.
    if ((symbol === '@' || symbol === '@i') && fields[at + 2] === 'n') hypernymOffsets.push(Number(fields[at + 1]));
  }
  if (!Number.isInteger(offset) || lemmas.length === 0) throw new Error(`unparseable data.noun line: ${line.slice(0, 60)}`);
  return { offset, lemmas, hypernymOffsets };
}

/** index.noun lists each lemma's synsets in sense order (most frequent first); returns "lemma offset" → 1-based rank. */
function readSenseRanks(indexText: string): Map<string, number> {
  const ranks = new Map<string, number>();
  for (const line of indexText.split('\n')) {
    if (line === '' || line.startsWith('  ')) continue;
    const fields = line.trim().split(' ');
    const lemma = fields[0]!;
    const synsetCount = Number(fields[2]);
    const pointerCount = Number(fields[3]);
    const firstOffset = 4 + pointerCount + 2; // skip pointer symbols, sense_cnt, tagsense_cnt
    for (let i = 0; i < synsetCount; i++) ranks.set(`${lemma} ${Number(fields[firstOffset + i])}`, i + 1);
  }
  return ranks;
}

export function buildGraph(dataText: string, indexText: string): WordNetGraphFile {
  const synsets = dataText
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('  '))
    .map(parseDataLine);
  const indexOfOffset = new Map(synsets.map((s, i) => [s.offset, i]));
  const ranks = readSenseRanks(indexText);

  const offsetDeltas: number[] = [];
  const senseRanks: number[] = [];
  let previous = 0;
  for (const s of synsets) {
    offsetDeltas.push(s.offset - previous);
    previous = s.offset;
    for (const lemma of s.lemmas) {
      const rank = ranks.get(`${lemma.toLowerCase().replace(/ /g, '_')} ${s.offset}`);
      if (rank === undefined) throw new Error(`index.noun has no entry for "${lemma}" in synset ${s.offset}`);
      senseRanks.push(rank);
    }
  }
  const hypernyms = synsets.map((s) =>
    s.hypernymOffsets.map((offset) => {
      const index = indexOfOffset.get(offset);
      if (index === undefined) throw new Error(`synset ${s.offset} points to missing hypernym ${offset}`);
      return index;
    }),
  );
  return {
    format: WORDNET_GRAPH_FORMAT,
    source: 'WordNet 3.0 (Princeton University), data.noun + index.noun from Debian wordnet-base 1:3.0-37',
    offsetDeltas,
    lemmas: synsets.map((s) => s.lemmas.join('|')).join('\n'),
    senseRanks,
    hypernyms,
  };
}

function main(): void {
  const wordnetDir = resolve(process.argv[2] ?? process.env.LRSAL_WORDNET_DIR ?? join(repoRoot, '../shared/assets/wordnet'));
  const dataPath = join(wordnetDir, 'data.noun');
  const indexPath = join(wordnetDir, 'index.noun');
  const licencePath = join(wordnetDir, 'LICENSE');
  for (const path of [dataPath, indexPath, licencePath]) {
    if (!existsSync(path)) throw new Error(`missing ${path}: pass the WordNet 3.0 directory as the first argument or set LRSAL_WORDNET_DIR`);
  }
  const graph = buildGraph(readFileSync(dataPath, 'latin1'), readFileSync(indexPath, 'latin1'));
  const outDir = join(repoRoot, 'data');
  mkdirSync(outDir, { recursive: true });
  const outPath = join(outDir, 'wordnet-nouns.json.gz');
  writeFileSync(outPath, gzipSync(JSON.stringify(graph), { level: 9 }));
  // Copy the text, not the file, so a read-only source does not make the copy read-only.
  writeFileSync(join(outDir, 'WORDNET-LICENSE'), readFileSync(licencePath));
  const edges = graph.hypernyms.reduce((n, h) => n + h.length, 0);
  console.log(`wrote ${outPath}: ${graph.offsetDeltas.length} synsets, ${edges} hypernym edges, ${statSync(outPath).size} bytes`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (error) {
    console.error(`build-wordnet: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
