/** Pictures (render/): display scaling, colour maps, crop/letterbox geometry and the figure sheet. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { loadImage } from '../src/io/image.js';
import { colourAt, colourTable } from '../src/render/colormaps.js';
import { colourBarPixels, figureSheet, formatTick, overlayPixels, type Pixels } from '../src/render/figure-sheet.js';
import { centreCropGeometry, coverage, fitWithin, letterboxGeometry, mapToOriginal } from '../src/render/geometry.js';
import { renderFigureSheetPng, renderOverlayPng } from '../src/render/pictures.js';
import { scaleForDisplay, smoothForDisplay } from '../src/render/scaling.js';

test('one hot pixel does not wash out the map at the default 99th-percentile clip', () => {
  const map = new Float32Array(10_000).fill(1);
  map[42] = 1e6;
  const clipped = scaleForDisplay(map);
  assert.equal(clipped.scale, 1);
  assert.equal(clipped.values[0], 1);
  assert.equal(clipped.values[42], 1);
  // Without clipping the rest of the map would be invisible: this is what the default prevents.
  const unclipped = scaleForDisplay(map, 'absolute', 100);
  assert.ok(unclipped.values[0]! < 1e-5);
});

test('signs: positive and negative keep their part, all keeps the sign, absolute the magnitude', () => {
  const map = Float32Array.from([-2, -1, 0, 1, 2]);
  assert.deepEqual([...scaleForDisplay(map, 'positive', 100).values], [0, 0, 0, 0.5, 1]);
  assert.deepEqual([...scaleForDisplay(map, 'negative', 100).values], [1, 0.5, 0, 0, 0]);
  assert.deepEqual([...scaleForDisplay(map, 'all', 100).values], [-1, -0.5, 0, 0.5, 1]);
  assert.deepEqual([...scaleForDisplay(map, 'absolute', 100).values], [1, 0.5, 0, 0.5, 1]);
  assert.throws(() => scaleForDisplay(map, 'all', 0), /clip percentile/);
  assert.deepEqual([...scaleForDisplay(new Float32Array(3), 'all').values], [0, 0, 0]);
});

test('a map far from zero everywhere (RISE: expected scores) is shown from its minimum, a gradient map from 0', () => {
  const rise = Float32Array.from({ length: 100 }, (_, i) => 0.8 + i / 1000);
  const scaled = scaleForDisplay(rise, 'absolute', 100);
  assert.ok(Math.abs(scaled.floor - 0.8) < 1e-6);
  assert.equal(scaled.values[0], 0);
  assert.equal(scaled.values[99], 1);
  const gradient = Float32Array.from({ length: 100 }, (_, i) => 0.001 + i);
  assert.equal(scaleForDisplay(gradient, 'absolute', 100).floor, 0);
  // A fixed range (comparable pictures across images) is used as given.
  assert.equal(scaleForDisplay(rise, 'absolute', 99, { scale: 2 }).values[99]! < 0.5, true);
});

test('display smoothing keeps a constant map, spreads a spike, and never changes its input', () => {
  const constant = new Float32Array(30 * 20).fill(3);
  for (const v of smoothForDisplay(constant, 20, 30, 2)) assert.ok(Math.abs(v - 3) < 1e-5);
  const spike = new Float32Array(21 * 21);
  spike[10 * 21 + 10] = 1;
  const smoothed = smoothForDisplay(spike, 21, 21, 1.5);
  assert.equal(spike[10 * 21 + 10], 1);
  assert.ok(smoothed[10 * 21 + 10]! < 0.2 && smoothed[10 * 21 + 11]! > 0);
  assert.ok(Math.abs(smoothed.reduce((a, b) => a + b, 0) - 1) < 1e-4);
});

test('colour maps: the diverging map is white at zero and blue/red at the ends', () => {
  assert.deepEqual(colourAt('coolwarm', 0.5).map(Math.round), [247, 247, 247]);
  const [r0, , b0] = colourAt('coolwarm', 0);
  const [r1, , b1] = colourAt('coolwarm', 1);
  assert.ok(b0 > r0 && r1 > b1);
  assert.deepEqual([...colourTable('inferno').subarray(0, 3)], [0, 0, 4]);
  const bar = colourBarPixels(4, 11, 'inferno', false);
  assert.deepEqual([...bar.data.subarray(0, 3)], [252, 255, 164]); // top = largest
});

test('centre-crop geometry of a wide photo: the map lands on the centre, the border is uncovered', () => {
  const g = centreCropGeometry({ width: 400, height: 200 }, { width: 8, height: 8 }, 8);
  // 400×200 → 16×8, crop 8×8 at left 4: the model sees original x ∈ [100, 300).
  assert.equal(g.offsetX, 100);
  assert.equal(g.scaleX, 25);
  const full = mapToOriginal(new Float32Array(64).fill(2), g);
  const covered = coverage(g);
  assert.equal(full.length, 400 * 200);
  assert.equal(full[100 * 400 + 50], 0);
  assert.equal(covered[100 * 400 + 50], 0);
  assert.equal(full[100 * 400 + 200], 2);
  assert.equal(covered.reduce((a, b) => a + b, 0), 200 * 200);
});

test('letterbox geometry covers the whole photo and maps the model’s left half onto the photo’s left half', () => {
  const g = letterboxGeometry({ width: 300, height: 100 }, { width: 30, height: 30 });
  // 300×100 → 30×10 placed at top 10: model rows 10..19 hold the photo.
  assert.deepEqual([g.left, g.top, g.resized.width, g.resized.height], [0, 10, 30, 10]);
  assert.ok(coverage(g).every((c) => c === 1));
  const map = new Float32Array(900);
  for (let y = 0; y < 30; y++) for (let x = 0; x < 15; x++) map[y * 30 + x] = 1;
  const full = mapToOriginal(map, g, { width: 60, height: 20 });
  assert.equal(full[10 * 60 + 5], 1);
  assert.equal(full[10 * 60 + 55], 0);
  assert.throws(() => mapToOriginal(new Float32Array(10), g), /model input is 30×30/);
});

/** A wide or tall photo with a red square at (x, y) on grey. */
async function photoWithSquare(width: number, height: number, x: number, y: number, side: number): Promise<Buffer> {
  const square = await sharp({ create: { width: side, height: side, channels: 3, background: { r: 255, g: 0, b: 0 } } }).png().toBuffer();
  return sharp({ create: { width, height, channels: 3, background: { r: 128, g: 128, b: 128 } } }).composite([{ input: square, left: x, top: y }]).png().toBuffer();
}

/** Red-ness of each pixel of a decoded image: a "map" that peaks where the model saw the square. */
function redness(img: { width: number; height: number; data: Uint8Array }): Float32Array {
  const out = new Float32Array(img.width * img.height);
  for (let p = 0; p < out.length; p++) out[p] = img.data[p * 3]! - img.data[p * 3 + 1]!;
  return out;
}

function peak(map: Float32Array, width: number): [number, number] {
  let best = 0;
  for (let i = 1; i < map.length; i++) if (map[i]! > map[best]!) best = i;
  return [best % width, Math.floor(best / width)];
}

for (const fit of ['crop', 'pad'] as const) {
  for (const [w, h, sx, sy] of [[480, 240, 250, 100], [200, 360, 80, 220]] as const) {
    test(`round trip (${fit}, ${w}×${h}): a map made on the model's input points back at the same spot of the photo`, async () => {
      const photo = await photoWithSquare(w, h, sx, sy, 20);
      const model = { width: 64, height: 64 };
      const g = fit === 'crop' ? centreCropGeometry({ width: w, height: h }, model, 73) : letterboxGeometry({ width: w, height: h }, model);
      const seen = await loadImage(photo, { geometry: g });
      assert.deepEqual([seen.width, seen.height], [64, 64]);
      const full = mapToOriginal(redness(seen), g);
      const [px, py] = peak(full, w);
      assert.ok(Math.abs(px - (sx + 10)) <= 12 && Math.abs(py - (sy + 10)) <= 12, `peak at ${px},${py}, square centre ${sx + 10},${sy + 10}`);
    });
  }
}

test('the overlay leaves the photo untouched where the map is zero and dims the cropped-away border', () => {
  const photo: Pixels = { width: 2, height: 1, data: Uint8Array.from([100, 150, 200, 100, 150, 200]) };
  const scaled = { values: Float32Array.from([0, 0]), scale: 1, floor: 0, sign: 'absolute' as const };
  const out = overlayPixels(photo, scaled, { colormap: 'inferno', covered: Uint8Array.from([1, 0]), desaturate: 0 });
  assert.deepEqual([...out.data.subarray(0, 3)], [100, 150, 200]);
  const grey = overlayPixels(photo, scaled, { colormap: 'inferno', desaturate: 1 });
  assert.deepEqual([...grey.data.subarray(0, 3)], [140, 140, 140]);
  assert.ok(out.data[3]! < 100 && out.data[5]! < 200);
});

test('figure sheet: three panels, a colour bar and the scale in numbers', () => {
  const photo: Pixels = { width: 20, height: 10, data: new Uint8Array(600).fill(90) };
  const scaled = scaleForDisplay(Float32Array.from({ length: 200 }, (_, i) => i / 1000), 'absolute', 100);
  const sheet = figureSheet(photo, scaled, { colormap: 'viridis' }, { title: 'tabby & co <281>' });
  assert.ok(sheet.pixels.width > 3 * 20 && sheet.pixels.data.length === sheet.pixels.width * sheet.pixels.height * 3);
  assert.match(sheet.svg, /tabby &amp; co &lt;281&gt;/);
  assert.match(sheet.svg, /≥ 0\.199/);
  const negative = figureSheet(photo, scaleForDisplay(Float32Array.from({ length: 200 }, (_, i) => -i / 1000), 'negative', 100), { colormap: 'inferno' }, { title: 't' });
  assert.match(negative.svg, /≤ -0\.199/);
  assert.equal(formatTick(0.000123), '1.2e-4');
  assert.equal(formatTick(2.5), '2.5');
});

test('pictures of a non-square photo keep its aspect; the sheet is three photo-wide panels wide', async () => {
  const photo = await photoWithSquare(600, 300, 300, 100, 40);
  const g = centreCropGeometry({ width: 600, height: 300 }, { width: 32, height: 32 }, 37);
  const map = Float32Array.from({ length: 32 * 32 }, (_, i) => (i % 7) - 3);
  const overlay = await sharp(await renderOverlayPng({ photo, geometry: g, map })).metadata();
  assert.deepEqual([overlay.width, overlay.height], [600, 300]);
  const small = await sharp(await renderOverlayPng({ photo, geometry: g, map }, { maxSide: 100 })).metadata();
  assert.deepEqual([small.width, small.height], [100, 50]);
  const sheet = await sharp(await renderFigureSheetPng({ photo, geometry: g, map }, { title: 'x' }, { sign: 'all' })).metadata();
  assert.ok(sheet.width! > 3 * 512 && sheet.height! > 256 && sheet.height! < 400);
  assert.deepEqual(fitWithin({ width: 4000, height: 1000 }, 1024), { width: 1024, height: 256 });
});
