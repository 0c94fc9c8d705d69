/**
 * `npm run bench:browser`: the in-browser engine against Node's, in real Chromium, on the bundled model.
 * Prints one JSON object:
 *   nodeAgreement   = the lower Spearman rank correlation, over lr and blockwise (vanilla gradient, same seed
 *                     and budget), of the browser's map with Node's, the browser given Node's decoded crop
 *                     (so only the runtimes differ); goal ≥ 0.99. `identicalBits` says whether the maps were
 *                     bit-identical; `browserDecodeAgreement` is the same with the browser decoding the photo.
 *   browserSlowdown = in-browser seconds per query ÷ Node's (same model, one onnxruntime thread each, the
 *                     faster of each side's two runs, lr and blockwise, run alternately); goal ≤ 2. `inferenceSlowdown` is the same for raw batched model calls
 *                     (best of three alternating rounds).
 * Usage: node dist/bench/browser.js [--queries 300] [--seed 7] [--image examples/kitten_224.png] [--threads 1]
 */
import { parseArgs } from 'node:util';
import { explain } from '../src/explain/index.js';
import { loadClassifier } from '../src/models/classifier.js';
import { spearman } from '../src/metrics/similarity.js';
import { chromiumMissing, openInBrowserPage } from '../scripts/in-browser-session.js';
import { kittenPath } from './paths.js';

const { values: args } = parseArgs({
  options: {
    queries: { type: 'string', default: '300' },
    seed: { type: 'string', default: '7' },
    image: { type: 'string' },
    threads: { type: 'string', default: '1' },
  },
});
const queries = Number(args.queries);
const seed = Number(args.seed);
const threads = Number(args.threads);
const photo = args.image ?? kittenPath();

const missing = chromiumMissing();
if (missing) {
  console.log(JSON.stringify({ skipped: missing }));
  process.exit(0);
}

interface BrowserRun {
  map: number[];
  queries: number;
  seconds: number;
  target: number;
}
interface PageApi {
  explain(request: unknown): Promise<BrowserRun>;
  timeQueries(count: number, batch: number): Promise<number>;
}

const classifier = await loadClassifier({ threads });
const session = await openInBrowserPage({ threads });
try {
  const { image } = await classifier.prepare(photo);
  const pixels = { width: image.width, height: image.height, data: Array.from(image.data) };
  const runs: Record<string, unknown> = {};
  let agreement = 1;
  let identical = true;
  let nodePerQuery = Infinity;
  let browserPerQuery = Infinity;
  for (const gradient of ['lr', 'blockwise'] as const) {
    const options = { method: 'vanilla' as const, gradient, queries, seed };
    const node = await explain(classifier, photo, options);
    const browser = await session.page.evaluate((request) => (globalThis as unknown as { lrsalInBrowser: PageApi }).lrsalInBrowser.explain(request), { model: 'bundled', pixels, options });
    const rho = spearman(node.map, browser.map);
    const same = node.map.length === browser.map.length && node.map.every((v, i) => Object.is(v, Math.fround(browser.map[i]!)));
    agreement = Math.min(agreement, rho);
    identical &&= same;
    runs[gradient] = { spearman: round(rho), identicalBits: same, sameTarget: node.target.index === browser.target, nodeSeconds: round(node.seconds), browserSeconds: round(browser.seconds) };
    // Each side's faster run of the two (the machine is shared: one run can swing several-fold with load).
    nodePerQuery = Math.min(nodePerQuery, node.seconds / node.queries);
    browserPerQuery = Math.min(browserPerQuery, browser.seconds / browser.queries);
  }
  // The full page path: the browser decodes the photo itself (its own resampler: pixels may differ slightly).
  await session.page.setInputFiles('#photo', photo);
  const decoded = await session.page.evaluate((request) => (globalThis as unknown as { lrsalInBrowser: PageApi }).lrsalInBrowser.explain(request), { model: 'bundled', options: { method: 'vanilla', gradient: 'blockwise', queries, seed } });
  const nodeBlockwise = await explain(classifier, photo, { method: 'vanilla', gradient: 'blockwise', queries, seed });

  // Raw batched inference, alternating Node and the page three times and keeping each side's best
  // (the machine is shared: a single pair of timings swings with other jobs).
  const batch = classifier.model.maxBatch;
  const count = 4 * batch;
  const inputs = new Float32Array(batch * image.width * image.height * 3).fill(0.5);
  let nodeInference = Infinity;
  let browserInference = Infinity;
  for (let round = 0; round < 3; round++) {
    const started = performance.now();
    for (let done = 0; done < count; done += batch) await classifier.model.scores(inputs, batch);
    nodeInference = Math.min(nodeInference, (performance.now() - started) / 1000 / count);
    const inPage = await session.page.evaluate(([n, b]) => (globalThis as unknown as { lrsalInBrowser: PageApi }).lrsalInBrowser.timeQueries(n!, b!), [count, batch]);
    browserInference = Math.min(browserInference, inPage);
  }

  console.log(
    JSON.stringify({
      nodeAgreement: round(agreement),
      browserSlowdown: round(browserPerQuery / nodePerQuery),
      identicalBits: identical,
      browserDecodeAgreement: round(spearman(nodeBlockwise.map, decoded.map)),
      inferenceSlowdown: round(browserInference / nodeInference),
      nodeInferenceMs: round(1000 * nodeInference),
      browserInferenceMs: round(1000 * browserInference),
      nodeMsPerQuery: round(1000 * nodePerQuery),
      browserMsPerQuery: round(1000 * browserPerQuery),
      queries,
      seed,
      threads,
      photo: photo.split('/').pop(),
      runs,
      goals: { nodeAgreement: '>= 0.99', browserSlowdown: '<= 2' },
    }),
  );
} finally {
  await session.close();
  await classifier.dispose();
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}
