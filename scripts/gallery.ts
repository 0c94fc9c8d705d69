/**
 * docs/gallery.md: every method × gradient source on the bundled example photos, with RISE and the exact
 * backprop gradient beside them, drawn as overlays at one budget, plus a figure sheet of the default.
 * Usage: node dist/scripts/gallery.js [QUERIES=1000] [OUT_DIR=docs] [PHOTO...]
 * (writes OUT_DIR/gallery.md and OUT_DIR/gallery/*.png). Only examples/ photos go to OUT_DIR: the dev photos
 * may not be redistributed (../shared/assets/README.md), so any other PHOTO (e.g. a non-square dev photo) is
 * drawn into out/gallery/ (git-ignored) for looking at locally, and gallery.md names it without a picture.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import sharp from 'sharp';
import { loadDifferentiableModel } from '../src/models/differentiable-onnx.js';
import { explain, type GradientName } from '../src/explain/index.js';
import type { MethodName } from '../src/methods/registry.js';
import { loadClassifier } from '../src/models/classifier.js';
import { packageRoot } from '../src/models/config.js';
import { renderFigureSheetPng, renderOverlayPng } from '../src/render/pictures.js';

const [queriesArg = '1000', outDir = 'docs', ...localPhotos] = process.argv.slice(2);
const queries = Number(queriesArg);
const METHODS: MethodName[] = ['vanilla', 'smoothgrad', 'vargrad', 'ig'];
const GRADIENTS: GradientName[] = ['backprop', 'lr', 'blockwise', 'focused'];
const CELL = 200;
const GAP = 6;
const LEFT = 92;
const TOP = 44;
const PHOTOS = ['kitten_224.png', 'fish.png'].map((f) => join(packageRoot(), 'examples', f));
const LOCAL_DIR = join('out', 'gallery');

const classifier = await loadClassifier({ threads: 1 });
const differentiable = await loadDifferentiableModel(classifier.card.model, { threads: 1 });
await mkdir(join(outDir, 'gallery'), { recursive: true });
if (localPhotos.length > 0) await mkdir(LOCAL_DIR, { recursive: true });
const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const sections: string[] = [];
const localSections: string[] = [];
for (const photo of [...PHOTOS, ...localPhotos]) {
  const stem = basename(photo, extname(photo));
  const local = !PHOTOS.includes(photo);
  const pictureDir = local ? LOCAL_DIR : join(outDir, 'gallery');
  // Columns: the four gradient sources, then RISE (no gradient: one cell, first row).
  const columns = [...GRADIENTS, 'rise'];
  const cells: { input: Buffer; left: number; top: number }[] = [];
  const seconds: string[] = [];
  let title = '';
  for (const [row, method] of METHODS.entries()) {
    for (const [col, column] of columns.entries()) {
      if (column === 'rise' && row > 0) continue;
      const started = performance.now();
      const result = await explain(classifier, photo, {
        method: column === 'rise' ? 'rise' : method,
        gradient: column === 'rise' ? 'lr' : (column as GradientName),
        queries,
        seed: 0,
        differentiable,
      });
      const tag = column === 'rise' ? 'rise' : `${method} × ${column}`;
      seconds.push(`${tag} ${((performance.now() - started) / 1000).toFixed(1)} s`);
      const top = result.predictions[0]!;
      title = `${top.label} ${(top.probability * 100).toFixed(1)} %`;
      const overlay = await renderOverlayPng({ photo, geometry: result.geometry!, map: result.map }, { maxSide: CELL });
      cells.push({ input: overlay, left: LEFT + col * (CELL + GAP), top: TOP + row * (CELL + GAP) });
      if (column === 'blockwise' && method === 'ig') {
        const sheet = await renderFigureSheetPng({ photo, geometry: result.geometry!, map: result.map }, {
          title: `${result.target.label} [${result.target.index}] ${(top.probability * 100).toFixed(1)} % — ig × blockwise, ${result.queries} queries`,
        });
        await sharp(sheet).png({ palette: true, quality: 90 }).toFile(join(pictureDir, `${stem}.sheet.png`));
      }
      process.stderr.write(`${stem}: ${tag}\n`);
    }
  }
  const width = LEFT + columns.length * (CELL + GAP);
  const height = TOP + METHODS.length * (CELL + GAP);
  const labels = [
    `<text x="6" y="18" font-size="14" font-weight="bold">${escapeXml(`${stem}: ${title} (SqueezeNet 1.1), ${queries} queries per map, seed 0`)}</text>`,
    ...columns.map((c, i) => `<text x="${LEFT + i * (CELL + GAP) + CELL / 2}" y="${TOP - 8}" font-size="12" text-anchor="middle">${c === 'backprop' ? 'backprop (exact)' : c === 'rise' ? 'RISE' : c}</text>`),
    ...METHODS.map((m, i) => `<text x="${LEFT - 8}" y="${TOP + i * (CELL + GAP) + CELL / 2}" font-size="12" text-anchor="end">${m}</text>`),
  ];
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, Arial, sans-serif" fill="#222">${labels.join('')}</svg>`;
  await sharp({ create: { width, height, channels: 3, background: '#ffffff' } })
    .composite([...cells, { input: Buffer.from(svg), left: 0, top: 0 }])
    .png({ palette: true, quality: 90 })
    .toFile(join(pictureDir, `${stem}.grid.png`));
  if (local) {
    localSections.push(`- \`${stem}\` (${title}): \`${join(LOCAL_DIR, `${stem}.grid.png`)}\` and \`${stem}.sheet.png\``);
    continue;
  }
  sections.push(`### ${stem}\n\n![${stem}: methods × gradient sources](gallery/${stem}.grid.png)\n\n![${stem}: figure sheet of ig × blockwise](gallery/${stem}.sheet.png)\n\n<sub>Wall time per map on a shared 2-core machine (1 onnxruntime thread): ${seconds.join(', ')}.</sub>\n`);
}
await differentiable.dispose();
await classifier.dispose();

const md = `# Gallery

Every method × gradient source on the bundled example photos (the only photos in this repository that may be
redistributed), SqueezeNet 1.1, **${queries} queries per map**, seed 0, default settings otherwise
(\`lrsal explain\` defaults: blockwise iid noise of σ 20 grey levels, lr channel-shared noise on 2×2 tiles, IG with a blurred
baseline, channel reduction \`abs-sum\`). *backprop* is the exact gradient of the same ONNX file, for
comparison; RISE needs no gradient. Each overlay is scaled on its own (99th percentile of |map| = full
colour, inferno), over a desaturated photo; the border the model never saw (224 → 256 resize, centre crop
224) is dimmed. The figure sheet shows the default (IG × blockwise) with its colour bar.

Regenerate: \`npm run build && node dist/scripts/gallery.js ${queries}\` (a few minutes).

${sections.join('\n')}
${localSections.length ? `Dev photos drawn by the same run, not committed (they may not be redistributed): regenerate with
\`node dist/scripts/gallery.js ${queries} ${outDir} ${localPhotos.join(' ')}\` and look at

${localSections.join('\n')}

` : ''}How to read it: the rows differ more than the columns. Integrated Gradients multiplies the gradient by
(x − baseline), so its maps follow the photo's edges whatever the gradient source — \`lrsal sanity\` shows
IG maps barely change when SqueezeNet's weights are randomised, and \`lrsal eval\` scores the model-free
blur-difference map beside every method for the same reason.
`;
await writeFile(join(outDir, 'gallery.md'), md);
