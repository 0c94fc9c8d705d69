import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { renderCurvesSvg } from '../src/render/curves-svg.js';
import { repoRoot, tempDir } from './helpers/files.js';

const cli = join(repoRoot, 'dist', 'src', 'cli', 'main.js');
const examples = join(repoRoot, 'examples');

function lrsal(args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, LRSAL_DEBUG: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('eval reports deletion/insertion AUC per method × gradient in the issue\'s JSON and plots the mean curves', () => {
  const plot = join(tempDir(), 'curves.svg');
  const r = lrsal(['eval', '--images', examples, '--methods', 'ig,rise', '--gradient', 'focused', '--queries', '40', '--json', '--plot', plot]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  // The bundled tench photo is taken for a barracouta by SqueezeNet: skipped and counted.
  assert.equal(out.skipped, 1);
  assert.deepEqual(out.results.map((row: { method: string; gradient: string }) => `${row.method}/${row.gradient}`), ['ig/focused', 'rise/none', 'random/none', 'centre-prior/none', 'blur-difference/none']);
  for (const row of out.results) {
    assert.equal(row.queries, row.gradient === 'none' && row.method !== 'rise' ? 0 : 40);
    assert.equal(row.images, 1);
    assert.deepEqual(row.perImage.deletion, [row.deletion.mean]);
    for (const m of [row.deletion.mean, row.insertion.mean]) assert.ok(m >= 0 && m <= 1, `AUC ${m}`);
  }
  // Deletion starts at the image (the class is likely), insertion ends there.
  for (const curve of out.curves) {
    assert.ok(curve.deletion[0] > curve.deletion.at(-1), 'deletion curve falls');
    assert.ok(curve.insertion.at(-1) > curve.insertion[0], 'insertion curve rises');
  }
  const svg = readFileSync(plot, 'utf8');
  assert.match(svg, /^<svg/);
  assert.equal(svg.match(/<polyline/g)?.length, 10, 'two curves per row');
});

test('fidelity reports cosine and rank correlation to the backprop gradient, with the bound beside each row', () => {
  const r = lrsal(['fidelity', '--images', examples, '--limit', '1', '--queries', '60', '--gradient', 'focused,lr', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.images, 1);
  const [focusedRow, lrRow] = out.results;
  assert.equal(focusedRow.gradient, 'focused');
  assert.equal(focusedRow.grid, 16);
  assert.equal(lrRow.gradient, 'lr');
  for (const row of out.results) {
    assert.equal(row.queries, 60);
    assert.ok(row.cosine.mean > -1 && row.cosine.mean < 1);
    assert.ok(Math.abs(row.isotropicBound - Math.sqrt(60 / (60 + 3 * 224 * 224))) < 1e-9);
  }
});

test('bad evaluation arguments are one-line errors with exit code 2', () => {
  for (const command of ['fidelity', 'explain']) {
    const r = lrsal([command, ...(command === 'explain' ? [join(examples, 'kitten_224.png')] : ['--images', examples]), '--survey', '1.5']);
    assert.equal(r.code, 2, `${command}: ${r.stderr}`);
    assert.match(r.stderr, /--survey must be in \(0, 1\]/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  }
  // The noise settings reach the gradient sources: focused takes no tiles.
  const t = lrsal(['eval', '--images', examples, '--methods', 'ig', '--gradient', 'focused', '--tile', '2', '--queries', '40']);
  assert.equal(t.code, 2, t.stderr);
  assert.match(t.stderr, /focused gradient takes no tiles/);
  const e = lrsal(['eval', '--images', join(examples, 'missing'), '--methods', 'rise']);
  assert.notEqual(e.code, 0);
  assert.match(e.stderr, /missing/);
});

test('the curve plot draws one line per series in each panel and escapes labels', () => {
  const svg = renderCurvesSvg([
    { label: 'ig <lr>', deletion: [1, 0.5, 0], insertion: [0, 0.5, 1] },
    { label: 'rise', deletion: [1, 0.8, 0.1], insertion: [0.1, 0.2, 0.9] },
  ]);
  assert.equal(svg.match(/<polyline/g)?.length, 4);
  assert.match(svg, /ig &lt;lr&gt;/);
  assert.doesNotMatch(svg, /NaN/);
});
