import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeNpy } from '../src/render/npy.js';
import { flattenClassifier, identityModel } from './helpers/onnx-writer.js';
import { hugePng, kitten, repoRoot, tempDir, truncatedJpeg, writeTemp } from './helpers/files.js';

const cli = join(repoRoot, 'dist', 'src', 'cli', 'main.js');

function lrsal(args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, LRSAL_DEBUG: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('explain on the bundled model writes an overlay, a raw map and a JSON summary', () => {
  const dir = tempDir();
  const out = join(dir, 'kitten.png');
  const r = lrsal(['explain', kitten, '--method', 'vanilla', '--queries', '60', '--seed', '3', '--out', out, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  assert.deepEqual(summary.target, { index: 281, label: 'tabby', wnid: 'n02123045' });
  assert.equal(summary.method, 'vanilla');
  assert.equal(summary.gradient, 'blockwise');
  assert.equal(summary.queries, 60);
  assert.ok(summary.seconds > 0);
  assert.equal(summary.outputs.overlay, out);
  assert.equal(readFileSync(out).subarray(1, 4).toString(), 'PNG');
  const map = decodeNpy(readFileSync(summary.outputs.map));
  assert.deepEqual(map.shape, [224, 224]);
  assert.ok(map.data.some((v) => v > 0) && map.data.every(Number.isFinite));
});

test('the same seed gives a byte-identical map from the command line', () => {
  const dir = tempDir();
  const run = (name: string, batch: string) => {
    const r = lrsal(['explain', kitten, '--method', 'smoothgrad', '--samples', '2', '--queries', '41', '--seed', '9', '--batch-size', batch, '--out', join(dir, name)]);
    assert.equal(r.code, 0, r.stderr);
    return readFileSync(join(dir, name.replace('.png', '.npy')));
  };
  assert.ok(run('a.png', '8').equals(run('b.png', '8')));
});

const dir = tempDir();
const badInputs: Array<[string, () => string[], RegExp]> = [
  ['a missing image', () => ['explain', join(dir, 'nope.jpg')], /image not found/],
  ['a file that is not an image', () => ['explain', writeTemp(dir, 'text.jpg', 'hello, I am text')], /not a readable image/],
  ['a truncated JPEG', () => ['explain', writeTemp(dir, 'half.jpg', truncatedJpeg())], /not a readable image/],
  ['a huge image', () => ['explain', writeTemp(dir, 'bomb.png', hugePng(30_000))], /decompression-bomb limit/],
  ['a model file that is not ONNX', () => ['explain', kitten, '--model', writeTemp(dir, 'fake.onnx', 'not a model')], /not a loadable ONNX model/],
  ['a model whose output is not [batch, classes]', () => ['explain', kitten, '--model', writeTemp(dir, 'identity.onnx', identityModel()), '--preprocess', 'raw'], /expected \[batch, classes\]/],
  ['a model that outputs NaN', () => ['explain', kitten, '--model', writeTemp(dir, 'nan.onnx', flattenClassifier(true)), '--preprocess', 'raw', '--resize', '8'], /non-finite value/],
  ['an unknown target name', () => ['explain', kitten, '--target', 'flying spaghetti monster'], /unknown target "flying spaghetti monster"/],
  ['an ambiguous target name', () => ['explain', kitten, '--target', 'crane'], /ambiguous/],
  ['zero queries', () => ['explain', kitten, '--queries', '0'], /--queries must be ≥ 1/],
  ['negative queries', () => ['explain', kitten, '--queries', '-5'], /--queries must be ≥ 1/],
  ['a budget too small for the method', () => ['explain', kitten, '--method', 'ig', '--queries', '5'], /needs at least \d+ queries/],
  ['an unknown method', () => ['explain', kitten, '--method', 'gradcam'], /Allowed choices are/],
];

for (const [what, args, message] of badInputs) {
  test(`${what} gives a clear one-line error and a non-zero exit`, () => {
    const r = lrsal(args());
    assert.notEqual(r.code, 0);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `expected one line, got:\n${r.stderr}`);
    assert.match(lines[0]!, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    assert.equal(r.stdout, '');
  });
}

test('a model without a card runs with explicit preprocessing flags', () => {
  const r = lrsal(['explain', kitten, '--model', writeTemp(dir, 'flat.onnx', flattenClassifier()), '--preprocess', 'raw', '--resize', '8', '--method', 'vanilla', '--queries', '10', '--out', join(dir, 'flat.png'), '--json']);
  assert.equal(r.code, 0, r.stderr);
  // The .npy is at the photo's size; the model-resolution map is beside it.
  assert.equal(JSON.parse(r.stdout).outputs.mapShape.join('x'), '224x224');
  assert.equal(JSON.parse(r.stdout).outputs.modelMapShape.join('x'), '8x8');
  assert.ok(existsSync(join(dir, 'flat.npy')));
});
