/**
 * Issue 11, local items: options validated before the first query (9, 14), finite answers whatever the
 * adapter (12), degenerate maps and unusable answers reported (11), ONNX score kind detected (13), odd model
 * and label files (14), the kernel fallback said aloud (15), CMYK and multi-frame images (19).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { LrsalError } from '../src/core/errors.js';
import { metered, QueryLedger } from '../src/core/ledger.js';
import { sizeOf, type Shape } from '../src/core/tensor.js';
import { explain, type ExplainOptions } from '../src/explain/index.js';
import { createGradientSource } from '../src/gradients/registry.js';
import { createMethod } from '../src/methods/registry.js';
import { validateExplainOptions } from '../src/explain/validate-options.js';
import { loadImage } from '../src/io/image.js';
import { mapProblems } from '../src/metrics/map-quality.js';
import type { Classifier } from '../src/models/classifier.js';
import { parseLabels } from '../src/models/labels.js';
import { loadOnnxModel } from '../src/models/onnx.js';
import { resolvePreprocessing } from '../src/models/config.js';
import type { LabelModel } from '../src/models/remote/types.js';
import { explainRemote } from '../src/explain/index.js';
import { onnxModel } from './helpers/onnx-writer.js';
import { repoRoot, tempDir, writeTemp } from './helpers/files.js';

const shape: Shape = { channels: 3, height: 8, width: 8 };
const d = sizeOf(shape);

/** A 3×8×8 classifier with 4 linear logits that counts the inputs it is asked about. */
function countingClassifier(answer?: (x: Float32Array, k: number) => number): Classifier & { asked: { inputs: number } } {
  const asked = { inputs: 0 };
  const preprocessing = resolvePreprocessing({ preset: 'raw' }, { height: 8, width: 8 });
  const model = {
    kind: 'scores' as const,
    inputShape: shape,
    classes: 4,
    scoreKind: 'logits' as const,
    maxBatch: 8,
    async scores(inputs: Float32Array, count: number) {
      asked.inputs += count;
      const out = new Float32Array(count * 4);
      for (let i = 0; i < count; i++) {
        const x = inputs.subarray(i * d, (i + 1) * d);
        for (let k = 0; k < 4; k++) out[i * 4 + k] = answer ? answer(x, k) : x[k * 7]! * (k + 1) * 0.01;
      }
      return out;
    },
    async dispose() {},
  };
  const image = { width: 8, height: 8, data: new Uint8Array(192).map((_, i) => (i * 37) % 256) };
  const input = Float32Array.from({ length: d }, (_, i) => image.data[(i % 64) * 3 + Math.floor(i / 64)]!);
  return {
    asked,
    model,
    preprocessing,
    labels: ['a', 'b', 'c', 'd'].map((name, index) => ({ index, name, aliases: [] })),
    card: { model: 'counting', preprocess: {} },
    prepare: async () => ({ image, input }),
    dispose: async () => {},
  };
}

function rejects(fn: () => unknown, code: string, message: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof LrsalError && e.code === code && message.test(e.message) && !e.message.includes('\n'));
}

const badOptions: Array<[string, Record<string, unknown>, RegExp]> = [
  ['samples 0', { method: 'smoothgrad', samples: 0 }, /^samples must be an integer/],
  ['samples NaN', { method: 'smoothgrad', samples: NaN }, /^samples must be an integer/],
  ['steps 0', { steps: 0 }, /^steps must be an integer/],
  ['steps NaN', { steps: NaN }, /^steps must be an integer/],
  ['cells 0', { method: 'rise', cells: 0 }, /^cells must be an integer/],
  ['cells NaN', { method: 'rise', cells: NaN }, /^cells must be an integer/],
  ['objective bogus', { objective: 'bogus' }, /^objective must be one of logit, probability, logProbability, got "bogus"/],
  ['reduction bogus', { reduction: 'bogus' }, /^reduction must be one of/],
  ['method bogus', { method: 'gradcam' }, /^method must be one of/],
  ['seed −1', { seed: -1 }, /^seed must be an integer in \[0, 4294967295\], got -1/],
  ['seed 1.5', { seed: 1.5 }, /^seed must be an integer/],
  ['seed 2³²', { seed: 2 ** 32 }, /^seed must be an integer/],
  ['sigma 1e300', { sigma: 1e300 }, /^sigma must be a number in \(0, 10000\]/],
  ['sigma NaN', { sigma: NaN }, /^sigma must be a number/],
  ['sigma 0', { sigma: 0 }, /^sigma must be a number/],
  ['noise level 0', { method: 'smoothgrad', noiseLevel: 0 }, /^noiseLevel must be/],
  ['keep 1', { method: 'rise', keep: 1 }, /^keep must be a number in \(0, 1\)/],
  ['queries 1', { queries: 1 }, /^queries must be an integer in \[2,/],
  ['queries 5 with IG', { method: 'ig', queries: 5 }, /^ig with the blockwise gradient needs at least 21 queries \(1 prediction \+ 10 steps × 2 queries per blockwise estimate\), got queries 5$/],
  ['vargrad with one sample', { method: 'vargrad', samples: 1 }, /^samples must be an integer in \[2,/],
  ['smoothgrad budget', { method: 'smoothgrad', samples: 10, queries: 12 }, /^smoothgrad with the blockwise gradient needs at least 21 queries/],
  ['focused with tiles', { gradient: 'focused', tile: 2 }, /focused gradient takes no tiles, got tile 2/],
  ['focused with antithetic pairs', { gradient: 'focused', antithetic: true }, /focused gradient takes no antithetic pairs/],
  ['focused grid larger than the image', { gradient: 'focused', grid: 9 }, /grid must be at most 8/],
  ['a negative target index', { target: -1 }, /^target must be a class index/],
];

for (const [what, options, message] of badOptions) {
  test(`explain() rejects ${what} with INVALID_ARGUMENT before any query`, async () => {
    rejects(() => validateExplainOptions(options, 'scores', shape), 'INVALID_ARGUMENT', message);
    const c = countingClassifier();
    await assert.rejects(explain(c, 'unused', options as ExplainOptions), (e: unknown) => e instanceof LrsalError && e.code === 'INVALID_ARGUMENT' && message.test(e.message));
    assert.equal(c.asked.inputs, 0, 'no query may be spent on settings that cannot work');
  });
}

test('an empty target is UNKNOWN_TARGET (exit 2), not the top-1 class, before any query', async () => {
  rejects(() => validateExplainOptions({ target: '' }, 'scores', shape), 'UNKNOWN_TARGET', /^empty target/);
  const c = countingClassifier();
  await assert.rejects(explain(c, 'unused', { target: '  ' }), (e: unknown) => e instanceof LrsalError && e.code === 'UNKNOWN_TARGET');
  assert.equal(c.asked.inputs, 0);
});

test('createMethod() passes 0 and NaN on to the methods, which reject them (no silent default)', () => {
  const source = createGradientSource('lr', shape, { sigma: 1 });
  const bad: Array<[string, Record<string, number>]> = [
    ['smoothgrad', { samples: 0 }],
    ['vargrad', { samples: NaN }],
    ['smoothgrad', { noiseLevel: NaN }],
    ['ig', { steps: 0 }],
    ['rise', { cells: 0 }],
    ['rise', { cells: NaN }],
    ['rise', { batchSize: 0 }],
  ];
  for (const [method, settings] of bad) rejects(() => createMethod(method, source, settings), 'INVALID_ARGUMENT', /must be/);
});

test('validateExplainOptions accepts the defaults and every documented setting', () => {
  validateExplainOptions({});
  validateExplainOptions({ method: 'rise', queries: 2, cells: 7, keep: 0.5 });
  validateExplainOptions({ method: 'ig', queries: 21, seed: 2 ** 32 - 1, sigma: 0.5, steps: 10 }, 'scores', shape);
  validateExplainOptions({ method: 'vanilla', gradient: 'focused', queries: 3, grid: 4, survey: 0.5 }, 'scores', shape);
  validateExplainOptions({ objective: 'label', target: 'tabby' }, 'remote');
  rejects(() => validateExplainOptions({ objective: 'logit' }, 'remote'), 'INVALID_ARGUMENT', /^objective must be one of label, prompt, semantic/);
  rejects(() => validateExplainOptions({ gradient: 'backprop' }, 'remote'), 'INVALID_ARGUMENT', /^gradient must be one of lr, blockwise, focused/);
});

test('explainRemote() rejects bad settings before the prediction query', async () => {
  let sent = 0;
  const model: LabelModel = {
    kind: 'labels',
    inputShape: { channels: 3, height: 16, width: 16 },
    async labels(_inputs, count) {
      sent += count;
      return Array.from({ length: count }, () => [{ label: 'tabby' }]);
    },
    stats: () => ({ sent, cacheHits: 0, cost: 0, retries: 0, cacheErrors: 0, cacheWriteErrors: 0 }),
    dispose: async () => {},
  };
  const image = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#808080' } }).png().toBuffer();
  for (const bad of [{ gradient: 'focused' as const, tile: 2 }, { gradient: 'focused' as const, antithetic: true }, { method: 'ig' as const, queries: 5 }]) {
    await assert.rejects(explainRemote(model, image, { target: 'tabby', size: 16, ...bad }), (e: unknown) => e instanceof LrsalError && e.code === 'INVALID_ARGUMENT');
  }
  assert.equal(sent, 0, 'no paid query before the settings are known to work');
});

test('metered() fails on a NaN or ∞ answer of a user function, naming the query', async () => {
  for (const bad of [NaN, Infinity, -Infinity]) {
    const ledger = new QueryLedger(100);
    let calls = 0;
    const f = metered({ shape, evaluate: async (_x, count) => Float64Array.from({ length: count }, (_, i) => (++calls === 6 && i >= 0 ? bad : 1)) }, ledger);
    await f.evaluate(new Float32Array(4 * d), 4);
    await assert.rejects(f.evaluate(new Float32Array(3 * d), 3), (e: unknown) => e instanceof LrsalError && e.code === 'MODEL_OUTPUT' && /for query 6 of this run/.test(e.message) && e.message.includes(String(bad)));
  }
  const short = metered({ shape, evaluate: async () => new Float64Array(1) }, new QueryLedger(10));
  await assert.rejects(short.evaluate(new Float32Array(2 * d), 2), (e: unknown) => e instanceof LrsalError && e.code === 'MODEL_OUTPUT' && /returned 1 values for queries 1–2/.test(e.message));
});

test('explain() stops with MODEL_OUTPUT when a score model answers NaN for a perturbed input (no all-NaN map)', async () => {
  let seen = 0;
  const c = countingClassifier((x, k) => (++seen > 4 ? NaN : x[k]! * 0.01));
  await assert.rejects(explain(c, 'unused', { method: 'vanilla', gradient: 'lr', queries: 10 }), (e: unknown) => e instanceof LrsalError && e.code === 'MODEL_OUTPUT' && /query 2 of this run/.test(e.message));
});

test('mapProblems: all-zero and constant maps, non-finite values and unusable answers are reported', () => {
  assert.deepEqual(mapProblems(Float32Array.from([0.1, 0, 2])), []);
  assert.match(mapProblems(new Float32Array(16)).join(), /all zeros/);
  assert.match(mapProblems(new Float32Array(16).fill(0.5)).join(), /constant \(0\.5\)/);
  assert.match(mapProblems(Float32Array.from([1, NaN])).join(), /non-finite/);
  assert.deepEqual(mapProblems(Float32Array.from([1, 2]), { unusableAnswers: 7, queries: 9 }), ['7 of 9 answers named no known class (they count as the farthest answer)']);
});

test('a remote run whose answers name no known class reports how many were unusable', async () => {
  const model: LabelModel = {
    kind: 'labels',
    inputShape: { channels: 3, height: 16, width: 16 },
    labels: async (_inputs, count) => Array.from({ length: count }, () => [{ label: 'qwzxv blorft' }]),
    stats: () => ({ sent: 0, cacheHits: 0, cost: 0, retries: 0, cacheErrors: 0, cacheWriteErrors: 0 }),
    dispose: async () => {},
  };
  const image = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#808080' } }).png().toBuffer();
  const r = await explainRemote(model, image, { target: 'tabby', size: 16, method: 'vanilla', queries: 9 });
  assert.equal(r.unusableAnswers, 9);
  assert.deepEqual(mapProblems(r.map, { unusableAnswers: r.unusableAnswers!, queries: r.queries }), ['9 of 9 answers named no known class (they count as the farthest answer)', 'the map is all zeros: no query changed the answer (more queries, a larger --sigma, or another target?)']);
});

test('Keras-style labels objects are read by index, and malformed ones are rejected clearly', () => {
  const keras = parseLabels('{"1": ["n01443537", "goldfish"], "0": ["n01440764", "tench"]}');
  assert.deepEqual(keras, [
    { index: 0, name: 'tench', aliases: [], wnid: 'n01440764' },
    { index: 1, name: 'goldfish', aliases: [], wnid: 'n01443537' },
  ]);
  assert.deepEqual(parseLabels('{"0": "tench", "1": "goldfish"}').map((l) => l.name), ['tench', 'goldfish']);
  rejects(() => parseLabels('{"0": "tench", "2": "goldfish"}', 'k.json'), 'INVALID_ARGUMENT', /k\.json: key "2" is not a class index 0…1/);
  rejects(() => parseLabels('{"0": {"x": 1}}', 'k.json'), 'INVALID_ARGUMENT', /class 0 is neither a name nor a \[wnid, name\] pair/);
  rejects(() => parseLabels('{"0": "tench",', 'k.json'), 'INVALID_ARGUMENT', /invalid JSON/);
});

/** x [N,3,2,2] → Flatten → [N,12] → Softmax: a model whose output holds probabilities under a neutral name. */
function softmaxModel(outputName: string): Buffer {
  return onnxModel({ name: 'x', dims: ['N', 3, 2, 2] }, { name: outputName, dims: ['N', 12] }, [
    { op: 'Flatten', inputs: ['x'], outputs: ['f'], ints: { axis: 1 } },
    { op: 'Softmax', inputs: ['f'], outputs: [outputName], ints: { axis: 1 } },
  ]);
}
function flattenModel(outputName: string): Buffer {
  return onnxModel({ name: 'x', dims: ['N', 3, 2, 2] }, { name: outputName, dims: ['N', 12] }, [{ op: 'Flatten', inputs: ['x'], outputs: [outputName], ints: { axis: 1 } }]);
}

test('ONNX score kind is detected from the output, not guessed from its name', async () => {
  const dir = tempDir();
  const probs = await loadOnnxModel(writeTemp(dir, 'p.onnx', softmaxModel('output')), { threads: 1 });
  assert.equal(probs.scoreKind, 'probabilities');
  assert.equal(probs.scoreKindSource, 'detected');
  await probs.dispose();
  // "prob" in the name used to mean probabilities; these values are not.
  const logits = await loadOnnxModel(writeTemp(dir, 'l.onnx', flattenModel('prob_like')), { threads: 1, height: 2, width: 2 });
  assert.equal(logits.scoreKind, 'logits');
  await logits.dispose();
  const given = await loadOnnxModel(writeTemp(dir, 'g.onnx', softmaxModel('output')), { threads: 1, scoreKind: 'probabilities' });
  assert.equal(given.scoreKindSource, 'given');
  await given.dispose();
});

test('a --score-kind contradicted by the output is an error', async () => {
  const dir = tempDir();
  await assert.rejects(loadOnnxModel(writeTemp(dir, 'p.onnx', softmaxModel('output')), { threads: 1, scoreKind: 'logits' }), (e: unknown) => e instanceof LrsalError && e.code === 'INVALID_ARGUMENT' && /holds probabilities.*--score-kind probabilities/.test(e.message));
  await assert.rejects(loadOnnxModel(writeTemp(dir, 'l.onnx', flattenModel('y')), { threads: 1, scoreKind: 'probabilities' }), (e: unknown) => e instanceof LrsalError && e.code === 'INVALID_ARGUMENT' && /not a probability vector/.test(e.message));
});

test('a model path that is a folder, and an input too large to allocate, give typed one-line errors', async () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'folder.onnx'));
  await assert.rejects(loadOnnxModel(join(dir, 'folder.onnx')), (e: unknown) => e instanceof LrsalError && e.code === 'INVALID_ARGUMENT' && /is a folder/.test(e.message));
  const huge = onnxModel({ name: 'x', dims: [1, 3, 100000, 100000] }, { name: 'y', dims: [1, 30000000000] }, [{ op: 'Flatten', inputs: ['x'], outputs: ['y'], ints: { axis: 1 } }]);
  await assert.rejects(loadOnnxModel(writeTemp(dir, 'huge.onnx', huge), { threads: 1 }), (e: unknown) => e instanceof LrsalError && e.code === 'MODEL_SHAPE' && /100000×100000 pixels is too large/.test(e.message));
});

test('a CMYK JPEG decodes to the colours of its RGB source (colour-managed conversion)', async () => {
  const w = 32;
  const raw = Buffer.alloc(w * w * 3);
  let s = 1;
  for (let i = 0; i < raw.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    raw[i] = 90 + ((s >>> 16) % 80); // in the CMYK gamut: the round trip can be faithful
  }
  const cmyk = await sharp(raw, { raw: { width: w, height: w, channels: 3 } }).toColourspace('cmyk').jpeg({ quality: 100, chromaSubsampling: '4:4:4' }).toBuffer();
  assert.equal((await sharp(cmyk).metadata()).space, 'cmyk');
  const decoded = await loadImage(cmyk);
  let total = 0;
  for (let i = 0; i < raw.length; i++) total += Math.abs(decoded.data[i]! - raw[i]!);
  // Measured: 1.7 grey levels on average with colour management, 4.2 with the plain channel formula.
  assert.ok(total / raw.length < 2.5, `mean error ${(total / raw.length).toFixed(2)} grey levels`);
});

test('an animated GIF says which frame is used', async () => {
  const frame = (r: number) => sharp({ create: { width: 8, height: 8, channels: 3, background: { r, g: 0, b: 0 } } }).raw().toBuffer();
  const frames = Buffer.concat([await frame(255), await frame(0), await frame(128)]);
  const gif = await sharp(frames, { raw: { width: 8, height: 24, channels: 3, pageHeight: 8 } }).gif().toBuffer();
  assert.equal((await sharp(gif).metadata()).pages, 3);
  const warnings: string[] = [];
  const image = await loadImage(gif, { warn: (m) => warnings.push(m) });
  assert.deepEqual(warnings, ['image buffer has 3 frames; using the first']);
  assert.equal(image.height, 8);
  assert.ok(image.data[0]! > 200, 'the first frame (red) was decoded');
  const still: string[] = [];
  await loadImage(await sharp({ create: { width: 8, height: 8, channels: 3, background: 'red' } }).gif().toBuffer(), { warn: (m) => still.push(m) });
  assert.deepEqual(still, []);
});

test('a missing WebAssembly build is reported once through the kernel fallback hook', () => {
  // A copy of the compiled core whose kernel bytes were never built (what a plain tsc build leaves).
  const dir = tempDir();
  cpSync(join(repoRoot, 'dist', 'src', 'core'), join(dir, 'src', 'core'), { recursive: true });
  writeFileSync(join(dir, 'src', 'core', 'kernels', 'kernel-bytes.js'), 'export const KERNEL_WASM_BASE64 = undefined;\n');
  const script = `
    const k = await import(${JSON.stringify(join(dir, 'src', 'core', 'kernels', 'index.js'))});
    const heard = [];
    k.onKernelFallback((m) => heard.push(m));
    const state = new Int32Array(k.STATE_WORDS);
    k.fillNormalLanes(state, new Float32Array(4096), 0, 4096, 1);
    k.fillNormalLanes(state, new Float32Array(4096), 0, 4096, 1);
    k.onKernelFallback((m) => heard.push('late: ' + m));
    console.log(JSON.stringify({ heard, impl: k.kernelImplementation() }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, LRSAL_KERNELS: '' } });
  assert.equal(r.status, 0, r.stderr);
  const { heard, impl } = JSON.parse(r.stdout);
  assert.equal(impl, 'js');
  assert.equal(heard.length, 2, 'once to the early listener, once (at once) to the late one');
  assert.match(heard[0], /WebAssembly kernels are not available \(the WASM kernels were not built: run npm run build\); using the slower JavaScript kernels/);
});
