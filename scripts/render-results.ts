/**
 * Renders docs/results.md (and docs/fidelity.svg) from the JSON that `lrsal fidelity --save` and
 * `lrsal eval --save` write. Usage: render-results.js FIDELITY_DIR EVAL_JSON > docs/results.md
 * FIDELITY_DIR holds one JSON per experiment (names below); missing experiments are skipped.
 * The claims at the top are computed from the numbers, not written by hand.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FidelityRow } from '../src/experiments/fidelity.js';
import type { EvalRow } from '../src/experiments/deletion-insertion-eval.js';
import { pairedComparison } from '../src/experiments/paired.js';

const [dir, evalPath, svgPath] = process.argv.slice(2);
type Run = { images: number; results: FidelityRow[] };
const load = (name: string): Run | undefined => (existsSync(join(dir!, `${name}.json`)) ? JSON.parse(readFileSync(join(dir!, `${name}.json`), 'utf8')) : undefined);
const pct = (v: number) => (100 * v).toFixed(1);
const setting = (r: FidelityRow) =>
  [r.gradient, r.block !== null ? `block ${r.block}` : '', r.grid ? `grid ${r.grid}, survey ${r.survey}` : '', r.noise ?? 'iid', (r.tile ?? 1) > 1 ? `tile ${r.tile}` : '', r.antithetic ? 'antithetic' : '', r.prior ? '+prior' : ''].filter(Boolean).join(', ');

function table(rows: FidelityRow[]): string[] {
  return [
    '| setting | σ | queries | cosine % (sd) | isotropic bound % | \\|P∇f\\|/\\|∇f\\| % | shape bound % | cosine / shape bound | rank corr. (sd) | s / estimate |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${setting(r)} | ${r.sigma} | ${r.queries} | ${pct(r.cosine.mean)} (${pct(r.cosine.std)}) | ${pct(r.isotropicBound)} | ${pct(r.projection ?? 1)} | ${pct(r.shapeBound ?? r.isotropicBound)} | ${(r.cosine.mean / (r.shapeBound ?? r.isotropicBound)).toFixed(2)} | ${r.rankCorrelation.mean.toFixed(3)} (${r.rankCorrelation.std.toFixed(3)}) | ${r.seconds?.toFixed(1) ?? '–'} |`,
    ),
  ];
}

const experiments: Array<{ name: string; title: string; note: string }> = [
  { name: 'sigma-lr', title: 'σ sweep, plain LR (iid noise)', note: 'σ in model-input units = 8-bit grey levels for this model.' },
  { name: 'shapes-lr', title: 'Noise shapes (plain LR, σ default)', note: 'Structured noise estimates the projection P∇f (group means); "shape bound" = |P∇f|/|∇f| · √(n/(n+m)).' },
  { name: 'antithetic', title: 'Antithetic pairs', note: 'Two queries per direction: half as many directions for the same budget.' },
  { name: 'blockwise', title: 'Blockwise at equal total queries', note: 'Compare with the noise-shape table at the same n.' },
  { name: 'blocks', title: 'Block sizes at equal total queries (iid noise)', note: 'A block covers a given pixel with probability 0.0081 (side 0.1), 0.040 (0.25), 0.112 (0.5).' },
  {
    name: 'copies-lr',
    title: 'Plain LR at equal noisy copies per input dimension',
    note: 'The paper states blockwise\'s advantage at an equal number of noisy copies per input dimension: blockwise at n = 1000 with blocks 0.1 / 0.25 / 0.5 gives each pixel ≈ 8 / 40 / 112 copies, as many as plain LR at n = 8 / 40 / 112 (this table). At equal total queries, compare with the tables above instead.',
  },
  { name: 'prior', title: 'Surrogate-gradient prior (MobileNet v2 → SqueezeNet)', note: 'Two queries measure ∇f·v along the surrogate\'s gradient v; v·z is then a control variate for every weight.' },
  { name: 'n5000', title: 'Plain LR at 5,000 queries', note: 'The paper\'s best blockwise cosine is 38.5 %.' },
  {
    name: 'focused',
    title: 'Focused: survey the cells, then resolve the densest (the default for cosine)',
    note: 'A share of the budget surveys a 16×16 grid of cells with blockwise directions and measures each cell\'s energy density; the rest goes to the densest cells, on orthogonal directions (disjoint parts of a cell), folded in by Kaczmarz steps (src/gradients/focused.ts). It estimates the projection onto the directions spent, so the isotropic and shape bounds, which hold for non-adaptive random directions, do not bind it.',
  },
  { name: 'focused-iid', title: 'Focused with iid noise', note: 'Each colour value its own coefficient: three times as many values to resolve per cell.' },
];
const runs = new Map(experiments.flatMap((e) => (load(e.name) ? [[e.name, load(e.name)!] as const] : [])));
const all = [...runs.values()].flatMap((r) => r.results);
const evaluation: { results: EvalRow[]; skipped: number } | undefined = evalPath && existsSync(evalPath) ? JSON.parse(readFileSync(evalPath, 'utf8')) : undefined;

function claims(): string[] {
  const out: string[] = [];
  const plain = (runs.get('sigma-lr')?.results ?? []).filter((r) => (r.noise ?? 'iid') === 'iid');
  if (plain.length) {
    const best = plain.reduce((a, b) => (b.cosine.mean > a.cosine.mean ? b : a));
    const ratio = best.cosine.mean / best.isotropicBound;
    out.push(`- **Plain LR wastes nothing** — ${ratio >= 0.85 ? 'holds' : 'does not hold'}: at σ = ${best.sigma}, n = ${best.queries}, cosine ${pct(best.cosine.mean)} % vs bound ${pct(best.isotropicBound)} % (ratio ${ratio.toFixed(2)}; the claim needs ≥ 0.85).`);
  }
  const beat = all.filter((r) => r.cosine.mean > r.isotropicBound * 1.15);
  if (beat.length) {
    const b = beat.reduce((a, c) => (c.cosine.mean / c.isotropicBound > a.cosine.mean / a.isotropicBound ? c : a));
    out.push(`- **Beat the isotropic bound** — holds with structure: ${setting(b)} at n = ${b.queries} reaches ${pct(b.cosine.mean)} % vs the isotropic ${pct(b.isotropicBound)} % (×${(b.cosine.mean / b.isotropicBound).toFixed(2)}).`);
  } else out.push('- **Beat the isotropic bound** — not shown by these runs.');
  const upTo5000 = all.filter((r) => r.queries <= 5000);
  if (upTo5000.length) {
    const top = upTo5000.reduce((a, b) => (b.cosine.mean > a.cosine.mean ? b : a));
    out.push(`- **Reach the paper's 38.5 % at ≤ 5,000 queries** — ${top.cosine.mean >= 0.385 ? 'holds' : 'does not hold'}: best measured ${pct(top.cosine.mean)} % (${setting(top)}, n = ${top.queries}).`);
  }
  const copies = runs.get('copies-lr')?.results ?? [];
  const blocks = all.filter((r) => r.gradient === 'blockwise' && (r.noise ?? 'iid') === 'iid' && r.queries === 1000);
  const lrAt1000 = all.find((r) => r.gradient === 'lr' && r.noise === 'iid' && r.tile === 1 && r.queries === 1000 && !r.antithetic && !r.prior);
  if (blocks.length && copies.length) {
    const perCopy = blocks.flatMap((b) => {
      const equal = copies.find((c) => Math.abs(c.queries - 1000 * coverage(b.block!)) / c.queries < 0.2);
      return equal ? [`block ${b.block}: ${pct(b.cosine.mean)} % vs plain LR at n = ${equal.queries}: ${pct(equal.cosine.mean)} %`] : [];
    });
    const best = blocks.reduce((a, b) => (b.cosine.mean > a.cosine.mean ? b : a));
    out.push(
      `- **Blockwise at equal noisy copies per dimension** — holds (${perCopy.join('; ')}). **At equal total queries** it does not hold for the cosine (best block ${best.block}: ${pct(best.cosine.mean)} %${lrAt1000 ? ` vs plain LR ${pct(lrAt1000.cosine.mean)} %` : ''} at n = 1000), but blockwise maps rank far better (rank corr. ${best.rankCorrelation.mean.toFixed(2)}${lrAt1000 ? ` vs ${lrAt1000.rankCorrelation.mean.toFixed(2)}` : ''}).`,
    );
  }
  const rise = evaluation?.results.find((r) => r.method === 'rise');
  for (const gradient of ['lr', 'blockwise', 'focused']) {
    const ig = evaluation?.results.find((r) => r.method === 'ig' && r.gradient === gradient);
    if (!ig || !rise) continue;
    const c = comparison(ig, rise);
    const both = ig.deletion.mean < rise.deletion.mean && ig.insertion.mean > rise.insertion.mean;
    out.push(
      `- **${{ lr: 'LR', blockwise: 'Blockwise', focused: 'Focused' }[gradient]}-based IG beats RISE at the same budget on deletion and insertion** — ${c ? verdictOf(c.verdict) : both ? 'holds' : 'does not hold'}: deletion ${ig.deletion.mean.toFixed(3)} vs ${rise.deletion.mean.toFixed(3)}, insertion ${ig.insertion.mean.toFixed(3)} vs ${rise.insertion.mean.toFixed(3)} (${ig.queries} queries, ${ig.images} images)${c ? `; ${c.text}` : ''}.`,
    );
  }
  const backprop = evaluation?.results.find((r) => r.method === 'ig' && r.gradient === 'backprop');
  if (backprop) {
    for (const gradient of ['lr', 'blockwise', 'focused']) {
      const ig = evaluation?.results.find((r) => r.method === 'ig' && r.gradient === gradient);
      if (!ig) continue;
      const c = comparison(ig, backprop);
      // "At least as good": not significantly worse on either curve.
      const verdict = c ? (c.verdict.deletion !== 'worse' && c.verdict.insertion !== 'worse' ? 'holds' : `does not hold: ${c.verdict.deletion} on deletion, ${c.verdict.insertion} on insertion`) : ig.deletion.mean <= backprop.deletion.mean && ig.insertion.mean >= backprop.insertion.mean ? 'holds' : 'does not hold';
      out.push(
        `- **IG with ${gradient} at least as good as IG with the exact gradient** — ${verdict}: deletion ${ig.deletion.mean.toFixed(3)} vs ${backprop.deletion.mean.toFixed(3)}, insertion ${ig.insertion.mean.toFixed(3)} vs ${backprop.insertion.mean.toFixed(3)}${c ? `; ${c.text}` : ''}.`,
      );
    }
  }
  return out;
}

function comparison(a: EvalRow, b: EvalRow): { verdict: { deletion: string; insertion: string }; text: string } | undefined {
  const c = pairedComparison(a, b);
  return c && { verdict: { deletion: c.deletion.verdict, insertion: c.insertion.verdict }, text: c.text };
}

/** "holds" when better on both curves, otherwise what each curve says. */
function verdictOf(c: { deletion: string; insertion: string }): string {
  if (c.deletion === 'better' && c.insertion === 'better') return 'holds';
  if (c.deletion === 'worse' && c.insertion === 'worse') return 'does not hold';
  return `does not hold clearly: ${c.deletion} on deletion, ${c.insertion} on insertion`;
}

/** Probability that a block of relative side b covers a given pixel of a 224×224 image (blockwise.ts). */
function coverage(b: number): number {
  const side = Math.max(1, Math.round(b * 224));
  return (side / (224 + side - 1)) ** 2;
}

/** Bars: measured cosine per row, with its isotropic bound (grey tick) and shape bound (black tick). */
function svg(rows: FidelityRow[]): string {
  const rowH = 18, left = 380, width = 820, scale = (width - left - 20) / Math.max(0.3, ...rows.map((r) => Math.max(r.cosine.mean, r.shapeBound ?? 0)));
  const body = rows.map((r, i) => {
    const y = 30 + i * rowH;
    const tick = (v: number, colour: string) => `<line x1="${left + v * scale}" x2="${left + v * scale}" y1="${y}" y2="${y + rowH - 4}" stroke="${colour}" stroke-width="2"/>`;
    return [
      `<text x="${left - 6}" y="${y + 12}" font-size="11" text-anchor="end">${setting(r)}, σ ${r.sigma}, n ${r.queries}</text>`,
      `<rect x="${left}" y="${y}" width="${r.cosine.mean * scale}" height="${rowH - 4}" fill="#4a7bb7"/>`,
      tick(r.isotropicBound, '#999'),
      tick(r.shapeBound ?? r.isotropicBound, '#000'),
    ].join('');
  });
  const height = 40 + rows.length * rowH;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif"><text x="10" y="16" font-size="13">Cosine to the backprop gradient (bar), isotropic bound (grey), shape bound (black)</text>${body.join('')}</svg>\n`;
}

const images = Math.max(0, ...[...runs.values()].map((r) => r.images));
const lines = [
  '# Results (generated by `bash scripts/results.sh`)',
  '',
  `Bundled SqueezeNet 1.1, objective = logit of the top-1 class, first ${images} dev images (ImageNet photos, not committed). d = 3·224·224 = 150,528.`,
  '"cosine" is to the exact backprop gradient of the same ONNX file; "rank corr." is Spearman between the abs-sum channel maps;',
  '(sd) is across images. "s / estimate" is wall time on 2 cores shared with other jobs: compare within a table only.',
  'docs/gradient-energy.md measures where the gradient\'s energy lives (colour, frequency, space), which decides what structure can pay.',
  'The deletion/insertion rows use the default IG baseline (a blurred copy; docs/ig-baseline.md compares it with black); docs/ig-vs-rise.md adds LR tile variants and a 2,000-query run; docs/hard-label.md covers the hard-label case.',
  '',
  '## Start here: the verdicts on photos no setting was chosen on',
  '',
  '- **docs/table1.md** — the paper\'s Table 1 on four model families (bundled SqueezeNet 1.1, MobileNet v1, v2, v3-small) at 500 and 2,000 queries, on the **report half** of the dev photos, with RISE, exact-gradient IG and the model-free rows (random order, centre prior, blur difference) beside every method, and paired per-photo verdicts. Its headline uses today\'s defaults.',
  '- **docs/ig-sweep.md** — how today\'s black-box IG defaults were chosen, on the **tune half** only (docs/dev-split.md): baseline, channel reduction, block size, σ, path, SmoothGrad over IG. Only blockwise σ changed (0.05 → 20 grey levels).',
  '- docs/trust.md — sanity checks, per-pixel standard error and signal to noise, --until-stable, focused top-k.',
  '',
  '> **Read with care (2026-12-02).** Everything below was measured before three changes: the LR/blockwise/RISE sums',
  '> now draw their directions in chunks of 64 with derived random streams (so shards merge byte-identically,',
  '> docs/batch.md), so a given seed gives another map than the one measured here; RISE masks no longer favour the',
  '> borders (docs/trust.md); blockwise\'s default σ on ONNX models is 20 grey levels, not 0.05 (docs/ig-sweep.md).',
  '> The statistics over images and seeds should hold in distribution but have not been re-run. They were also chosen',
  '> and reported on the same photos, which issue 17 showed overfits: the verdicts that count are in docs/table1.md.',
  '',
  '## Claims',
  '',
  ...claims(),
  '',
  '## Defaults chosen from these tables',
  '',
  '- σ = 0.05 grey levels: 0.01 and 0.05 both sit on the bound (the difference is within the spread across images); 0.05 is kept as the more robust to rounded scores. (Since then blockwise, the map default, uses 20 grey levels on ONNX models, chosen for deletion/insertion on the tune half; its cosine at that σ is not measured here: docs/ig-sweep.md.)',
  '- lr: channel-shared noise on 2×2 tiles (`GRADIENT_DEFAULTS` in src/gradients/registry.ts): at n ≤ 2,000 its cosine and rank correlation are the best measured; at n = 5,000 per-pixel channel-shared noise is ahead on cosine (pass `noise` / `tile` explicitly), 2×2 tiles on rank correlation.',
  '- blockwise: iid noise, block 0.25: channel-shared noise raises its cosine but lowers its map quality, and blockwise is used for maps.',
  '- focused: channel-shared noise, 16×16 grid, 20 % survey, neighbour-smoothed densities, σ·(m/s)^¼ on parts of cells (constants in src/gradients/focused.ts, from an offline simulation on exact gradients and the runs below). The best cosine per query here, but not the map default: unexplored cells stay near zero, so its maps are patchy and its IG rows are the worst in the deletion/insertion table below (at 500 queries only a few cells are resolved). Blockwise stays the default for maps.',
  '- Antithetic pairs off (half the directions at small σ); surrogate prior off (MobileNet v2\'s gradient is uncorrelated with SqueezeNet\'s).',
  '',
  ...(svgPath ? ['![cosine per setting](fidelity.svg)', ''] : []),
  ...experiments.flatMap((e) => {
    const run = runs.get(e.name);
    if (!run) return [];
    const priors = run.results.flatMap((r) => (r.priorCosine !== null && r.priorCosine !== undefined ? [r.priorCosine] : []));
    const extra = priors.length ? ` Mean cosine of the surrogate's gradient to the true gradient: ${pct(priors[0]!)} %.` : '';
    return [`## ${e.title}`, '', e.note + extra, '', ...table(run.results), ''];
  }),
  ...(evaluation
    ? [
        '## Deletion (lower is better) and insertion (higher is better) AUC (paper Table 1)',
        '',
        '| method | gradient | queries | deletion (sd) | insertion (sd) | images |',
        '| --- | --- | --- | --- | --- | --- |',
        ...evaluation.results.map(
          (r) => `| ${r.method} | ${r.gradient} | ${r.queries} | ${r.deletion.mean.toFixed(3)} (${r.deletion.std.toFixed(3)}) | ${r.insertion.mean.toFixed(3)} (${r.insertion.std.toFixed(3)}) | ${r.images} |`,
        ),
        '',
        `Skipped (misclassified by the model): ${evaluation.skipped}.`,
        '',
        ...(existsSync(join(dirname(evalPath!), 'eval-curves.svg')) ? ['![mean deletion and insertion curves](eval-curves.svg)', ''] : []),
      ]
    : []),
];
if (svgPath) writeFileSync(svgPath, svg(all));
process.stdout.write(lines.join('\n'));
