/** The K-class figure sheet: photo once, K titled overlays, one colour scale, layout arithmetic, CLI output. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { classSheet, classSheetLayout, fitTitle, sharedDisplayRange } from '../src/render/class-sheet.js';
import { overlayPixels, type Pixels } from '../src/render/figure-sheet.js';
import { identityGeometry } from '../src/render/geometry.js';
import { renderClassSheetPng } from '../src/render/pictures.js';
import { scaleForDisplay } from '../src/render/scaling.js';
import { kitten, repoRoot, tempDir } from './helpers/files.js';

const grey = (width: number, height: number, v = 128): Pixels => ({ width, height, data: new Uint8Array(width * height * 3).fill(v) });

test('layout: photo + K panels in one row up to 3 classes, a grid beyond; the sheet size follows from the panel size', () => {
  const three = classSheetLayout({ width: 100, height: 60 }, 3);
  assert.equal(three.panels.length, 4);
  assert.deepEqual([three.columns, three.rows], [4, 1]);
  // margin + 4 panels + 3 gaps + margin + colour bar + its numbers; title + panel title + panel + margin.
  assert.equal(three.width, 14 + 4 * 100 + 3 * 14 + 14 + 16 + 78);
  assert.equal(three.height, 50 + 20 + 60 + 14);
  const five = classSheetLayout({ width: 90, height: 120 }, 5, true);
  assert.equal(five.panels.length, 6);
  assert.deepEqual([five.columns, five.rows], [3, 2]);
  assert.equal(five.width, 14 + 3 * 90 + 2 * 14 + 14 + 16 + 78);
  assert.equal(five.height, 50 + 2 * (20 + 120) + 14 + 18 + 14);
  assert.equal(five.bar.height, 2 * (20 + 120) + 14 - 20, 'the colour bar spans every row');
  // Panels never overlap and stay inside the sheet.
  for (const [i, a] of five.panels.entries()) {
    assert.ok(a.left + 90 <= five.bar.left && a.top + 120 <= five.height);
    for (const b of five.panels.slice(i + 1)) assert.ok(Math.abs(a.left - b.left) >= 90 + 14 || Math.abs(a.top - b.top) >= 120 + 20);
  }
});

test('the sheet draws the photo once and each class\'s overlay in order, titled', () => {
  const photo = grey(120, 30);
  const maps = [0.2, 0.6, 1].map((v) => scaleForDisplay(new Float32Array(120 * 30).fill(v), 'absolute', 100, { scale: 1 }));
  const style = { colormap: 'inferno' as const };
  const sheet = classSheet(photo, maps.map((scaled, k) => ({ scaled, title: `class ${k} & co` })), style, { title: 'three classes', note: 'a note' });
  const at = (x: number, y: number) => Array.from(sheet.pixels.data.subarray((y * sheet.pixels.width + x) * 3, (y * sheet.pixels.width + x) * 3 + 3));
  const { panels } = sheet.layout;
  assert.deepEqual(at(panels[0]!.left + 5, panels[0]!.top + 5), [128, 128, 128], 'the photo');
  for (const [k, scaled] of maps.entries()) {
    const expected = Array.from(overlayPixels(photo, scaled, style).data.subarray(0, 3));
    assert.deepEqual(at(panels[k + 1]!.left + 5, panels[k + 1]!.top + 5), expected, `class ${k}'s overlay`);
  }
  assert.notDeepEqual(at(panels[1]!.left, panels[1]!.top), at(panels[3]!.left, panels[3]!.top));
  for (const title of ['photo', 'class 0 &amp; co', 'class 2 &amp; co', 'three classes', 'a note']) assert.ok(sheet.svg.includes(`>${title}<`), title);
  assert.equal(fitTitle('a very long class name indeed', 70), 'a very lo…');
  assert.equal(fitTitle('short', 70), 'short');
});

test('one colour scale: a class with twice the attribution is shown brighter, not rescaled to look the same', async () => {
  const size = { width: 32, height: 32 };
  const photo = await sharp(Buffer.alloc(32 * 32 * 3, 128), { raw: { ...size, channels: 3 } }).png().toBuffer();
  const weak = new Float32Array(32 * 32).fill(1);
  const strong = new Float32Array(32 * 32).fill(2);
  // A zero in a corner keeps 0 at the bottom of the scale (a map with no value near 0 is shown from its minimum).
  weak[0] = strong[0] = 0;
  assert.deepEqual(sharedDisplayRange([weak, strong], 'absolute', 99), { scale: 2, floor: 0 });
  const png = await renderClassSheetPng({ photo, geometry: identityGeometry(size), classes: [{ map: weak, title: 'weak' }, { map: strong, title: 'strong' }] }, { title: 't' }, { clip: 99 });
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  // Small photos are shown at 256 px: the layout of a 256 × 256 panel with 2 classes.
  const layout = classSheetLayout({ width: 256, height: 256 }, 2);
  assert.deepEqual([info.width, info.height], [layout.width, layout.height]);
  const at = (p: { left: number; top: number }) => Array.from(data.subarray(((p.top + 128) * info.width + p.left + 128) * info.channels, ((p.top + 128) * info.width + p.left + 128) * info.channels + 3));
  const expected = (v: number) => Array.from(overlayPixels(grey(1, 1), { values: Float32Array.of(v), scale: 2, floor: 0, sign: 'absolute' }, { colormap: 'inferno' }).data);
  assert.deepEqual(at(layout.panels[1]!), expected(0.5), 'the weak class at half colour');
  assert.deepEqual(at(layout.panels[2]!), expected(1), 'the strong class at full colour');
});

test('lrsal explain --top-k 3 --out F.png: one K-class sheet F.sheet.png beside the per-class overlays and maps', async () => {
  const dir = tempDir();
  const r = spawnSync(process.execPath, [join(repoRoot, 'dist', 'src', 'cli', 'main.js'), 'explain', kitten, '--method', 'vanilla', '--gradient', 'lr', '--queries', '30', '--top-k', '3', '--out', join(dir, 'k.png'), '--json', '--no-progress'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  assert.equal(summary.outputs.sheet, join(dir, 'k.sheet.png'));
  for (const c of summary.classes) {
    assert.ok(c.probability > 0 && c.probability < 1, 'each class says its probability');
    assert.ok(existsSync(join(dir, `k.${c.target.index}.png`)) && existsSync(join(dir, `k.${c.target.index}.npy`)));
    assert.ok(!existsSync(join(dir, `k.${c.target.index}.sheet.png`)), 'no per-class sheets: the K-class sheet has them all');
  }
  const meta = await sharp(summary.outputs.sheet).metadata();
  // The kitten is 224 × 224: shown at 256 px, photo + 3 classes in one row.
  const layout = classSheetLayout({ width: 256, height: 256 }, 3);
  assert.deepEqual([meta.width, meta.height], [layout.width, layout.height]);
});
