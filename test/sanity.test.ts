/** Sanity checks (lrsal sanity): cascading randomisation of ONNX layers and the random-logit test, on tiny generated models. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DataType, decodeModel, encodeModel, makeAttr, type OnnxProto } from '../src/backprop/onnx-proto.js';
import { Rng } from '../src/core/rng.js';
import { loadClassifier } from '../src/models/classifier.js';
import { cascadeDepths, parameterLayers, randomiseTopLayers } from '../src/sanity/randomise-layers.js';
import { sanityCheck } from '../src/sanity/sanity-check.js';
import { kitten, repoRoot, tempDir } from './helpers/files.js';

const D = 3 * 8 * 8;

function floats(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.nextNormal());
}

function model(nodes: OnnxProto['graph']['nodes'], initializers: OnnxProto['graph']['initializers'], classes: number): Uint8Array {
  return encodeModel({
    irVersion: 7,
    opsets: [{ domain: '', version: 13 }],
    graph: {
      name: 'tiny',
      nodes,
      initializers,
      inputs: [{ name: 'x', elemType: DataType.FLOAT, shape: [1, 3, 8, 8] }],
      outputs: [{ name: 'y', elemType: DataType.FLOAT, shape: [1, classes] }],
    },
  });
}

const node = (opType: string, inputs: string[], outputs: string[], attributes = [] as OnnxProto['graph']['nodes'][number]['attributes']) => ({ opType, domain: '', name: `${opType}_${outputs[0]}`, inputs, outputs, attributes });

/** Two dense layers, x → relu(W1 x + b1) → W2 h: its gradient depends on every weight. */
function mlp(): Uint8Array {
  return model([
    node('Flatten', ['x'], ['f'], [makeAttr.int('axis', 1)]),
    node('Gemm', ['f', 'W1', 'b1'], ['h'], [makeAttr.int('transB', 1)]),
    node('Relu', ['h'], ['r']),
    node('Gemm', ['r', 'W2'], ['y'], [makeAttr.int('transB', 1)]),
  ], [
    { name: 'W1', dims: [16, D], dataType: DataType.FLOAT, floats: floats(16 * D, 1) },
    { name: 'b1', dims: [16], dataType: DataType.FLOAT, floats: floats(16, 2) },
    { name: 'W2', dims: [10, 16], dataType: DataType.FLOAT, floats: floats(160, 3) },
  ], 10);
}

/** y_c = s_c · x_c: class c's gradient is one value whatever s is — a map that cannot depend on the weights. */
function weightBlind(): Uint8Array {
  return model([
    node('Flatten', ['x'], ['f'], [makeAttr.int('axis', 1)]),
    node('Mul', ['f', 's'], ['y']),
  ], [{ name: 's', dims: [D], dataType: DataType.FLOAT, floats: Float32Array.from({ length: D }, (_, i) => 1 + (i % 5)) }], D);
}

test('layers with parameters in graph order; randomising the top k re-draws only those, reproducibly', () => {
  const m = decodeModel(mlp());
  const layers = parameterLayers(m);
  assert.deepEqual(layers.map((l) => l.initializers), [['W1', 'b1'], ['W2']]);
  const top = randomiseTopLayers(m, 1, 5);
  const byName = (x: OnnxProto, n: string) => x.graph.initializers.find((t) => t.name === n)!.floats!;
  assert.deepEqual(byName(top, 'W1'), byName(m, 'W1'));
  assert.notDeepEqual(byName(top, 'W2'), byName(m, 'W2'));
  assert.deepEqual(byName(randomiseTopLayers(m, 1, 5), 'W2'), byName(top, 'W2'));
  const all = randomiseTopLayers(m, 2, 5);
  assert.notDeepEqual(byName(all, 'W1'), byName(m, 'W1'));
  // Same scale as before: the network keeps running in the same range.
  const std = (a: Float32Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
  assert.ok(Math.abs(std(byName(all, 'W1')) / std(byName(m, 'W1')) - 1) < 0.1);
  assert.throws(() => randomiseTopLayers(m, 3, 0), /has 2 layers with parameters/);
  assert.deepEqual(cascadeDepths(26, 4), [1, 9, 17, 26]);
  assert.deepEqual(cascadeDepths(2, 4), [1, 2]);
});

async function check(bytes: Uint8Array, methods: Array<'vanilla' | 'ig'>, gradients: Array<'backprop' | 'lr'>) {
  const path = join(tempDir(), 'tiny.onnx');
  writeFileSync(path, bytes);
  const classifier = await loadClassifier({ model: path, preprocess: { preset: 'raw', resizeShorter: 8 }, threads: 1 });
  try {
    return await sanityCheck(classifier, kitten, { methods, gradients, queries: 400, seed: 1 });
  } finally {
    await classifier.dispose();
  }
}

test('the exact gradient of a dense network changes when its layers are randomised and for another class: ok', async () => {
  const report = await check(mlp(), ['vanilla'], ['backprop']);
  assert.equal(report.layers, 2);
  const [row] = report.rows;
  assert.equal(row!.repeat, 1);
  assert.deepEqual(row!.cascade.map((c) => c.layers), [1, 2]);
  assert.ok(row!.cascade.at(-1)!.spearman < 0.5, JSON.stringify(row));
  assert.ok(row!.randomLogit < 0.5, JSON.stringify(row));
  assert.equal(row!.verdict, 'ok', row!.reasons.join('; '));
});

test('a map that does not depend on the weights is flagged', async () => {
  const report = await check(weightBlind(), ['vanilla'], ['backprop']);
  const [row] = report.rows;
  assert.ok(row!.cascade[0]!.spearman > 0.99);
  assert.equal(row!.verdict, 'flagged');
  assert.match(row!.reasons.join(' '), /survives randomising all 1 layers/);
});

test('a map that is estimation noise at its budget is inconclusive, not passed', async () => {
  const report = await check(mlp(), ['vanilla'], ['lr']);
  const [row] = report.rows;
  if (row!.repeat < 0.2) assert.equal(row!.verdict, 'inconclusive');
  else assert.notEqual(row!.verdict, 'inconclusive');
});

test('lrsal sanity prints a table; a model without parameters is a one-line error', () => {
  const dir = tempDir();
  const good = join(dir, 'mlp.onnx');
  writeFileSync(good, mlp());
  const cli = join(repoRoot, 'dist', 'src', 'cli', 'main.js');
  const run = (model: string) => spawnSync(process.execPath, [cli, 'sanity', kitten, '--model', model, '--preprocess', 'raw', '--resize', '8', '--methods', 'vanilla', '--gradient', 'backprop', '--queries', '20', '--threads', '1'], { encoding: 'utf8' });
  const r = run(good);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /vanilla\s+backprop\s+\|\s+1\.00/);
  const blank = join(dir, 'blank.onnx');
  writeFileSync(blank, model([node('Flatten', ['x'], ['y'], [makeAttr.int('axis', 1)])], [], D));
  const e = run(blank);
  assert.equal(e.status, 1, e.stderr);
  assert.match(e.stderr, /no layer with learned parameters/);
});
