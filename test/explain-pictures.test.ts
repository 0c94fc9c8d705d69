/** `lrsal explain` on photos of any size: full-size .npy, model-size .model.npy, overlay and figure sheet. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { decodeNpy } from '../src/render/npy.js';
import { kitten, repoRoot, tempDir } from './helpers/files.js';

const cli = join(repoRoot, 'dist', 'src', 'cli', 'main.js');

function lrsal(args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, LRSAL_DEBUG: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function widePhoto(dir: string): Promise<string> {
  const file = join(dir, 'wide.png');
  // The kitten stretched onto a 341×256 canvas: a non-square photo the model still recognises.
  await sharp(kitten).resize(341, 256, { fit: 'fill' }).png().toFile(file);
  return file;
}

for (const fit of ['crop', 'pad'] as const) {
  test(`explain --fit ${fit} on a 341×256 photo: .npy at 256×341, .model.npy at 224×224, pictures at the photo's aspect`, async () => {
    const dir = tempDir();
    const photo = await widePhoto(dir);
    const out = join(dir, 'wide.map.png');
    const r = lrsal(['explain', photo, '--method', 'vanilla', '--queries', '30', '--fit', fit, '--out', out, '--json', '--sign', 'all']);
    assert.equal(r.code, 0, r.stderr);
    const outputs = JSON.parse(r.stdout).outputs;
    assert.equal(outputs.fit, fit);
    const full = decodeNpy(readFileSync(outputs.map));
    const model = decodeNpy(readFileSync(outputs.modelMap));
    assert.deepEqual(full.shape, [256, 341]);
    assert.deepEqual(model.shape, [224, 224]);
    // --sign all switched the default reduction to the signed sum: both signs are present.
    assert.ok(model.data.some((v) => v < 0) && model.data.some((v) => v > 0));
    // Crop: the left and right borders were never seen, so they hold zeros; pad: every column is covered.
    const column = (x: number) => Array.from({ length: 256 }, (_, y) => full.data[y * 341 + x]!);
    assert.equal(column(2).every((v) => v === 0), fit === 'crop');
    const overlay = await sharp(readFileSync(outputs.overlay)).metadata();
    assert.deepEqual([overlay.width, overlay.height], [341, 256]);
    const sheet = await sharp(readFileSync(outputs.sheet)).metadata();
    assert.ok(sheet.width! > 3 * 341 && sheet.height! > 256, `sheet ${sheet.width}×${sheet.height}`);
  });
}

test('explain --no-sheet writes no sheet; --sheet F puts it at F', async () => {
  const dir = tempDir();
  const none = lrsal(['explain', kitten, '--method', 'vanilla', '--queries', '20', '--out', join(dir, 'a.png'), '--no-sheet', '--json']);
  assert.equal(none.code, 0, none.stderr);
  assert.equal(JSON.parse(none.stdout).outputs.sheet, undefined);
  const named = lrsal(['explain', kitten, '--method', 'vanilla', '--queries', '20', '--out', join(dir, 'b.png'), '--sheet', join(dir, 's.png'), '--json', '--display-smooth', '2', '--colormap', 'viridis']);
  assert.equal(named.code, 0, named.stderr);
  assert.equal(JSON.parse(named.stdout).outputs.sheet, join(dir, 's.png'));
  assert.equal(readFileSync(join(dir, 's.png')).subarray(1, 4).toString(), 'PNG');
});

const bad: Array<[string, string[], RegExp]> = [
  ['a signed picture of an unsigned map', ['--sign', 'all', '--reduction', 'abs-sum'], /--sign all needs a signed map/],
  ['a clip percentile above 100', ['--clip', '150'], /--clip must be a percentile/],
  ['a negative display smoothing', ['--display-smooth', '-1'], /--display-smooth must be a number ≥ 0/],
  ['an unknown fit', ['--fit', 'stretch'], /Allowed choices are crop, pad/],
  ['a fit for a remote black box', ['--api', 'vision', '--endpoint', 'http://127.0.0.1:9', '--fit', 'pad'], /--fit applies to ONNX models/],
];
for (const [what, args, message] of bad) {
  test(`explain rejects ${what} (exit 2, one line)`, () => {
    const r = lrsal(['explain', kitten, '--method', 'vanilla', '--queries', '20', '--out', join(tempDir(), 'x.png'), ...args]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
  });
}
