/**
 * The "in this browser" page in real Chromium (issue 16): the bundled model and a photo explained in the
 * page with onnxruntime-web, the overlay shown, nothing uploaded; the browser's maps against Node's for
 * the same seed and budget; threads only under cross-origin isolation; bad files give one-line errors.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { explain } from '../src/explain/index.js';
import { spearman } from '../src/metrics/similarity.js';
import { loadClassifier, type Classifier } from '../src/models/classifier.js';
import { packageRoot } from '../src/models/config.js';
import { numberedLabels } from '../src/models/label-parsing.js';
import { resolvePreprocessing } from '../src/models/model-card.js';
import { toModelInput } from '../src/models/preprocess.js';
import { chromiumMissing, openInBrowserPage, type InBrowserSession } from '../scripts/in-browser-session.js';

const root = packageRoot();
const bundleMissing = !existsSync(join(root, 'web', 'in-browser', 'dist', 'main.js')) && 'the page is not built (npm run build)';
const skip = chromiumMissing() || bundleMissing;
const kitten = join(root, 'examples', 'kitten_224.png');

interface PageApi {
  runtime: { threads: number; isolated: boolean };
  explain(request: unknown): Promise<{ map: number[]; queries: number; target: number; image: number[] }>;
}
const api = (session: InBrowserSession) => ({
  explain: (request: unknown) => session.page.evaluate((r) => (globalThis as unknown as { lrsalInBrowser: PageApi }).lrsalInBrowser.explain(r), request),
  runtime: () => session.page.evaluate(() => (globalThis as unknown as { lrsalInBrowser: PageApi }).lrsalInBrowser.runtime),
});

let session: InBrowserSession;
let classifier: Classifier;
before(async () => {
  if (skip) return;
  session = await openInBrowserPage({ threads: 1 });
  classifier = await loadClassifier({ threads: 1 });
});
after(async () => {
  await session?.close();
  await classifier?.dispose();
});

test('end to end: the bundled model explains a photo in the page, the overlay is shown, nothing is uploaded', { skip }, async () => {
  const { page, requests, server } = session;
  await page.setInputFiles('#photo', kitten);
  await page.selectOption('#method', 'vanilla');
  await page.selectOption('#gradient', 'blockwise');
  await page.fill('#queries', '80');
  await page.click('#run');
  await page.waitForSelector('body[data-state="done"]', { timeout: 180_000 });
  assert.match((await page.textContent('#status'))!, /^Done: 80 queries/);
  assert.match((await page.textContent('#predictions'))!, /tabby|tiger cat|Egyptian cat/);
  // The overlay is a heatmap over the photo, not a blank canvas: many distinct colours.
  const colours = await page.evaluate(() => {
    // Runs in the page (DOM types are not in the Node test build).
    const doc = (globalThis as unknown as { document: { getElementById(id: string): { getContext(k: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } } } }).document;
    const canvas = doc.getElementById('overlay-canvas');
    const data = canvas.getContext('2d').getImageData(0, 0, 224, 224).data;
    const seen = new Set<number>();
    for (let p = 0; p < data.length; p += 4) seen.add((data[p]! << 16) | (data[p + 1]! << 8) | data[p + 2]!);
    return seen.size;
  });
  assert.ok(colours > 1000, `overlay has only ${colours} colours`);
  const previews = Number(await page.getAttribute('#preview-canvas', 'data-previews'));
  assert.ok(previews >= 2, `the preview map was drawn ${previews} times during the run`);
  await page.screenshot({ path: join(root, 'docs', 'in-browser.png') });

  // Nothing uploaded: every request is a body-less GET of the app's own static files.
  assert.ok(requests.length > 0);
  for (const r of requests) {
    assert.equal(r.method, 'GET', `${r.method} ${r.url}`);
    assert.equal(r.bodyBytes, 0, r.url);
    assert.ok(r.url.startsWith(server.url + '/web/in-browser/') || r.url.startsWith(server.url + '/models/') || r.url.startsWith('data:'), `unexpected request ${r.url}`);
    assert.doesNotMatch(r.url, /kitten/);
  }
  assert.ok(server.requests.every((r) => r.method === 'GET' && r.bodyBytes === 0));
  assert.ok(requests.some((r) => r.url.endsWith('/dist/ort/ort-wasm-simd-threaded.wasm')), 'the onnxruntime .wasm is served by the app');
});

test('same answer as Node: lr and blockwise maps from the same crop, seed and budget agree (Spearman ≥ 0.99)', { skip }, async () => {
  const { image } = await classifier.prepare(kitten);
  const pixels = { width: image.width, height: image.height, data: Array.from(image.data) };
  for (const gradient of ['lr', 'blockwise'] as const) {
    const options = { method: 'vanilla' as const, gradient, queries: 30, seed: 3 };
    const node = await explain(classifier, kitten, options);
    const browser = await api(session).explain({ model: 'bundled', pixels, options });
    assert.equal(browser.queries, 30);
    assert.equal(browser.target, node.target.index);
    const rho = spearman(node.map, browser.map);
    assert.ok(rho >= 0.99, `${gradient}: Spearman ${rho}`);
  }
});

/**
 * An analytic classifier, self-contained so its source runs unchanged in Node and in the page: class 0's
 * logit is a fixed linear form plus a small quadratic (exact in float64, rounded to float32 once).
 */
function analyticModel() {
  const n = 3 * 32 * 32;
  return {
    kind: 'scores' as const,
    inputShape: { channels: 3, height: 32, width: 32 },
    classes: 2,
    scoreKind: 'logits' as const,
    maxBatch: 8,
    async scores(inputs: Float32Array, count: number) {
      const out = new Float32Array(2 * count);
      for (let q = 0; q < count; q++) {
        let linear = 0;
        let square = 0;
        for (let i = 0; i < n; i++) {
          const v = inputs[q * n + i]!;
          linear += (((i * 7919) % 13) - 6) * v;
          square += v * v;
        }
        out[2 * q] = linear / 64 + square / 4096;
      }
      return out;
    },
    async dispose() {},
  };
}

test('where the runtimes agree the bits agree: an analytic model gives identical maps in Node and in the page', { skip }, async () => {
  const pixels = { width: 32, height: 32, data: Array.from({ length: 32 * 32 * 3 }, (_, i) => (i * 37) % 256) };
  const preprocessing = resolvePreprocessing({ preset: 'caffe' }, { height: 32, width: 32 });
  const image = { width: 32, height: 32, data: Uint8Array.from(pixels.data) };
  const model = analyticModel();
  const nodeClassifier: Classifier = {
    model,
    preprocessing,
    labels: numberedLabels(2),
    card: { model: 'analytic', preprocess: {} },
    prepare: async () => ({ image, input: toModelInput(preprocessing, image.data, 32, 32) }),
    dispose: async () => {},
  };
  for (const gradient of ['lr', 'blockwise'] as const) {
    const options = { method: 'vanilla' as const, gradient, queries: 200, seed: 11 };
    const node = await explain(nodeClassifier, 'analytic', options);
    const browser = await session.page.evaluate(
      ([source, request]) => {
        const page = globalThis as unknown as { lrsalInBrowser: { explainScoreModel(m: unknown, r: unknown): Promise<{ map: number[] }> } };
        return page.lrsalInBrowser.explainScoreModel((0, eval)(`(${source as string})`)(), request);
      },
      [analyticModel.toString(), { pixels, options }] as const,
    );
    assert.equal(browser.map.length, node.map.length);
    assert.ok(spearman(node.map, browser.map) > 0.5, 'the map is not trivial');
    assert.deepEqual(Float32Array.from(browser.map), node.map, `${gradient}: maps differ`);
  }
});

test('the page decodes a photo to the same crop as sharp when no resampling is needed', { skip }, async () => {
  // A 256-pixel-high photo: the resize to 256 is the identity, so only the decoders and the crop differ.
  const dir = mkdtempSync(join(tmpdir(), 'lrsal-browser-'));
  const photo = join(dir, 'kitten-256.png');
  writeFileSync(photo, await sharp(kitten).resize(300, 256, { fit: 'fill' }).png().toBuffer());
  await session.page.setInputFiles('#photo', photo);
  const options = { method: 'vanilla' as const, gradient: 'blockwise' as const, queries: 20, seed: 5 };
  const browser = await api(session).explain({ model: 'bundled', options });
  const node = await explain(classifier, photo, options);
  assert.deepEqual(browser.image, Array.from(node.image!.data));
  assert.ok(spearman(node.map, browser.map) >= 0.99);
});

test('bad files give a one-line error on the page, and the page keeps working', { skip }, async () => {
  const { page } = session;
  const dir = mkdtempSync(join(tmpdir(), 'lrsal-browser-'));
  const notImage = join(dir, 'notes.jpg');
  writeFileSync(notImage, 'not an image');
  await page.setInputFiles('#photo', notImage);
  await page.click('#run');
  await page.waitForSelector('body[data-state="error"]');
  assert.match((await page.textContent('#error'))!, /notes\.jpg: not a readable image/);

  const notModel = join(dir, 'model.onnx');
  writeFileSync(notModel, 'not a model');
  await page.setInputFiles('#photo', kitten);
  await page.selectOption('#model-choice', 'file');
  await page.setInputFiles('#model-file', notModel);
  await page.click('#run');
  await page.waitForSelector('body[data-state="error"]');
  await page.waitForFunction(() => /model\.onnx/.test((globalThis as unknown as { document: { getElementById(id: string): { textContent: string } } }).document.getElementById('error').textContent));
  assert.match((await page.textContent('#error'))!, /model\.onnx is not a loadable ONNX model/);
  assert.equal((await page.textContent('#error'))!.split('\n').length, 1);
  await page.selectOption('#model-choice', 'bundled');
});

test('threads only where the page is cross-origin isolated; one thread still explains without isolation', { skip }, async () => {
  const isolated = await openInBrowserPage({ threads: 2 });
  const plain = await openInBrowserPage({ threads: 2, isolate: false });
  try {
    assert.deepEqual(await api(isolated).runtime(), { threads: 2, isolated: true });
    assert.deepEqual(await api(plain).runtime(), { threads: 1, isolated: false });
    // Without isolation (no SharedArrayBuffer) the single-threaded runtime still explains.
    const { image } = await classifier.prepare(kitten);
    const run = await api(plain).explain({ model: 'bundled', pixels: { width: image.width, height: image.height, data: Array.from(image.data) }, options: { method: 'vanilla', gradient: 'lr', queries: 6, seed: 1 } });
    assert.equal(run.queries, 6);
  } finally {
    await isolated.close();
    await plain.close();
  }
});
