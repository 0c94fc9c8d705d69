/** Honest deletion/insertion tables: reference maps, AOPC, MoRF−LeRF, and maps made by other tools (eval --maps). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { checkExternalMaps, readExternalMap } from '../src/experiments/external-maps.js';
import { aopc, morfMinusLerf, reversedMap } from '../src/metrics/curve-scores.js';
import { saliencyOrder } from '../src/metrics/deletion-insertion.js';
import { blurDifferenceMap, centrePriorMap, randomMap } from '../src/metrics/reference-maps.js';
import { centreCropGeometry, mapToModel, mapToOriginal } from '../src/render/geometry.js';
import { encodeNpy } from '../src/render/npy.js';
import { kitten, repoRoot, tempDir } from './helpers/files.js';

const cli = join(repoRoot, 'dist', 'src', 'cli', 'main.js');

test('AOPC is the mean drop from the start; MoRF−LeRF the area between the two deletion curves', () => {
  assert.equal(aopc([1, 0.5, 0, 0.5]), (0 + 0.5 + 1 + 0.5) / 4);
  assert.equal(aopc([]), 0);
  // MoRF falls at once, LeRF holds: area 0.5 − (1/3 of a unit falling line)…
  assert.ok(Math.abs(morfMinusLerf([1, 0, 0], [1, 1, 0]) - 0.5) < 1e-12);
  assert.equal(morfMinusLerf([1, 0.5, 0], [1, 0.5, 0]), 0);
  assert.deepEqual([...saliencyOrder(reversedMap(Float32Array.from([3, 1, 2])))], [1, 2, 0]);
});

test('reference maps: seeded random order, a centred prior peaking in the middle, blur difference zero on flat images', () => {
  assert.deepEqual(randomMap(4, 5, 7), randomMap(4, 5, 7));
  assert.notDeepEqual(randomMap(4, 5, 7), randomMap(4, 5, 8));
  const prior = centrePriorMap(9, 11);
  assert.equal(saliencyOrder(prior)[0], 4 * 11 + 5);
  assert.ok(prior[0]! < prior[4 * 11 + 5]!);
  const flat = new Uint8Array(12).fill(9);
  assert.deepEqual([...blurDifferenceMap(flat, flat)], [0, 0, 0, 0]);
  assert.deepEqual([...blurDifferenceMap(Uint8Array.from([10, 0, 5]), Uint8Array.from([0, 10, 0]))], [25]);
});

test('mapToModel undoes mapToOriginal inside the crop', () => {
  const g = centreCropGeometry({ width: 60, height: 40 }, { width: 16, height: 16 }, 18);
  const model = Float32Array.from({ length: 256 }, (_, i) => (i % 16) + Math.floor(i / 16));
  const back = mapToModel(mapToOriginal(model, g), g);
  // Smooth (linear) maps survive the round trip up to interpolation at the edges.
  for (let y = 2; y < 14; y++) for (let x = 2; x < 14; x++) assert.ok(Math.abs(back[y * 16 + x]! - model[y * 16 + x]!) < 0.35, `${x},${y}`);
});

function float64Npy(data: number[], shape: number[]): Buffer {
  const header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${shape.join(', ')}), }`;
  const padded = header + ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head.writeUInt16LE(padded.length, 8);
  return Buffer.concat([head, Buffer.from(padded, 'latin1'), Buffer.from(new Float64Array(data).buffer)]);
}

test('maps from other tools: float64 at the photo size, float32 at the model size, wrong shapes and missing files named', async () => {
  const dir = tempDir();
  const g = centreCropGeometry({ width: 30, height: 20 }, { width: 8, height: 8 }, 9);
  writeFileSync(join(dir, 'a.npy'), float64Npy(Array.from({ length: 600 }, () => 2), [20, 30]));
  const a = await readExternalMap(dir, 'a.jpg', g);
  assert.equal(a.length, 64);
  assert.ok(a.every((v) => v === 2));
  writeFileSync(join(dir, 'b.npy'), encodeNpy(Float32Array.from({ length: 64 }, (_, i) => i), [8, 8]));
  assert.equal((await readExternalMap(dir, 'b.png', g))[63], 63);
  writeFileSync(join(dir, 'c.npy'), encodeNpy(new Float32Array(12), [3, 4]));
  await assert.rejects(readExternalMap(dir, 'c.png', g), /map is 3×4; expected the image's 20×30 or the model's 8×8/);
  await assert.rejects(checkExternalMaps(dir, ['a.jpg', 'missing.jpg']), /no map for missing\.jpg/);
});

test('eval --maps scores another tool\'s maps beside the reference maps, with AOPC, MoRF−LeRF and the fills named', async () => {
  const images = tempDir();
  const maps = tempDir();
  await sharp(kitten).resize(341, 256, { fit: 'fill' }).png().toFile(join(images, 'wide kitten.png'));
  writeFileSync(join(images, 'manifest.json'), JSON.stringify([{ file: 'wide kitten.png', index: 281 }]));
  // The other tool's map is the centre prior at the model's input size: its row must equal the centre-prior row.
  writeFileSync(join(maps, 'wide kitten.npy'), encodeNpy(centrePriorMap(224, 224), [224, 224]));
  const r = spawnSync(process.execPath, [cli, 'eval', '--images', images, '--maps', maps, '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.results.map((row: { method: string }) => row.method), ['maps', 'random', 'centre-prior', 'blur-difference']);
  const [mine, , prior] = out.results;
  assert.equal(mine.images, 1);
  assert.deepEqual(mine.perImage, prior.perImage);
  for (const row of out.results) for (const key of ['aopc', 'morfLerf']) assert.ok(Number.isFinite(row[key].mean), key);
  assert.match(out.fills.deletion, /0 in model input/);
  assert.match(out.fills.insertion, /blurred/);
});
