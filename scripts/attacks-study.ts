/**
 * Regenerates docs/attacks.md: the hard-label comparison (estimated-gradient MI-FGSM vs HSJA vs Sign-OPT at
 * 1,000 queries on SqueezeNet's top-1 label) and the MIG transfer table (SqueezeNet surrogate → MobileNets), both
 * measured on the first dev photos. Small on purpose (a shared 2-core machine): run with nice -n 10.
 * Usage: node dist/scripts/attacks-study.js [compareImages=6] [transferImages=8] [--part compare|transfer|all|render] [--from N]
 *   Each part writes its JSON to docs/attacks-data/ as it goes; the page is rendered from whatever JSON is there.
 *   --from N: compare only manifest entries N.. (up to compareImages), merged with the outcomes already stored.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { summarize, type AttackSummary } from '../src/attacks/hard-label.js';
import { compareTable, transferTable } from '../src/cli/attack-command.js';
import { classifierBlackBox, compareHardLabel } from '../src/cli/hard-label-runs.js';
import { runTransfer, type TransferRow } from '../src/cli/transfer-runs.js';
import { loadClassifier } from '../src/models/classifier.js';
import { packageRoot } from '../src/models/config.js';

const root = packageRoot();
const args = process.argv.slice(2);
const part = args.includes('--part') ? args[args.indexOf('--part') + 1]! : 'all';
const numbers = args.filter((a, i) => /^\d+$/.test(a) && args[i - 1] !== '--from').map(Number);
const compareImages = numbers[0] ?? 6;
const compareFrom = args.includes('--from') ? Number(args[args.indexOf('--from') + 1]) : 0;
const transferImages = numbers[1] ?? 8;
const dev = join(root, '..', 'shared', 'assets', 'images', 'dev');
const models = join(root, '..', 'shared', 'assets', 'models');
const dataDir = join(root, 'docs', 'attacks-data');
mkdirSync(dataDir, { recursive: true });
const log = (m: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${m}\n`);

if (part === 'compare' || part === 'all') {
  const started = Date.now();
  const classifier = await loadClassifier({ threads: 1 });
  // Per-image outcomes accumulate in compare-outcomes.json (keyed by file and row), so runs over different
  // manifest ranges (--from N) merge: seeds depend on the manifest position only.
  const outcomesPath = join(dataDir, 'compare-outcomes.json');
  const stored: StoredOutcome[] = existsSync(outcomesPath) ? JSON.parse(readFileSync(outcomesPath, 'utf8')) : [];
  const { skipped } = await compareHardLabel(classifierBlackBox(classifier, 'squeezenet1.1'), {
    dir: dev,
    queries: 1000,
    limit: compareImages,
    from: compareFrom,
    seed: 0,
    signal: 'wordnet',
    onOutcome: (file, o) => {
      log(`${file} ${o.attack}/${o.gradient}: RMSE ${o.rmse.toFixed(4)} in ${o.queries} queries`);
      const i = stored.findIndex((s) => s.file === file && s.attack === o.attack && s.gradient === o.gradient);
      const entry = { file, attack: o.attack, gradient: o.gradient, rmse: Number.isFinite(o.rmse) ? o.rmse : null, queries: o.queries };
      if (i >= 0) stored[i] = entry;
      else stored.push(entry);
      writeFileSync(outcomesPath, JSON.stringify(stored, null, 1) + '\n');
    },
    onImageDone: () => saveCompare(stored, started),
  });
  await classifier.dispose();
  log(`compare: ${skipped} images skipped (misclassified clean)`);
  saveCompare(stored, started);
}

interface StoredOutcome {
  file: string;
  attack: string;
  gradient: string;
  rmse: number | null;
  queries: number;
}

function saveCompare(all: StoredOutcome[], started: number): void {
  // Only photos every attack has finished count, so that all rows cover the same photos.
  const rowCount = new Set(all.map((s) => `${s.attack}/${s.gradient}`)).size;
  const stored = all.filter((s) => all.filter((t) => t.file === s.file).length === rowCount);
  const rows = [...new Map(stored.map((s) => [`${s.attack}/${s.gradient}`, s])).values()];
  const results = rows.map((row) => {
    const mine = stored.filter((s) => s.attack === row.attack && s.gradient === row.gradient);
    const summary = summarize(row.attack, row.gradient, 1000, mine.map((s) => ({ attack: s.attack, gradient: s.gradient, adversarial: null, rmse: s.rmse ?? Infinity, value: 0, queries: s.queries })));
    return { ...summary, medianRmse: Number.isFinite(summary.medianRmse) ? summary.medianRmse : null };
  });
  const files = new Set(stored.map((s) => s.file));
  writeFileSync(join(dataDir, 'compare.json'), JSON.stringify({ results, images: [...files], seconds: (Date.now() - started) / 1000 }, null, 1) + '\n');
  render();
}

if (part === 'transfer' || part === 'all') {
  const started = Date.now();
  const mobilenet = (name: string) => ({ path: join(models, `${name}-1.0-224-dequant-fp32.onnx`), preset: 'inception' as const });
  const rows = await runTransfer({
    dir: dev,
    surrogate: { path: join(root, 'models', 'squeezenet1.1.lrsal.json') },
    victims: [mobilenet('mobilenet-v1'), mobilenet('mobilenet-v2'), mobilenet('mobilenet-v3-small')],
    rows: [
      { method: 'mi-fgsm', gradient: 'backprop' },
      { method: 'ig', gradient: 'backprop' },
      { method: 'ig', gradient: 'lr' },
      { method: 'vanilla', gradient: 'backprop' },
      { method: 'vanilla', gradient: 'lr' },
    ],
    queries: 200,
    limit: transferImages,
    seed: 0,
    onImage: (file) => log(`transfer: ${file}`),
    onImageDone: (partial) => saveTransfer(partial, started, false),
  });
  saveTransfer(rows, started, true);
}

function saveTransfer(rows: TransferRow[], started: number, complete: boolean): void {
  // A longer rerun (same seeds: its first images repeat the stored ones) replaces the stored table only once it covers more.
  const path = join(dataDir, 'transfer.json');
  const covered = (r: TransferRow[]) => Math.max(0, ...r.map((x) => x.images));
  if (existsSync(path) && covered((JSON.parse(readFileSync(path, 'utf8')) as { results: TransferRow[] }).results) > covered(rows)) return;
  writeFileSync(join(dataDir, 'transfer.json'), JSON.stringify({ results: rows, manifestImages: transferImages, complete, seconds: (Date.now() - started) / 1000 }, null, 1) + '\n');
  render();
}

render();

function render(): void {
  const comparePath = join(dataDir, 'compare.json');
  const transferPath = join(dataDir, 'transfer.json');
  const compare = existsSync(comparePath) ? (JSON.parse(readFileSync(comparePath, 'utf8')) as { results: AttackSummary[]; images: string[]; seconds: number }) : null;
  const transfer = existsSync(transferPath) ? (JSON.parse(readFileSync(transferPath, 'utf8')) as { results: TransferRow[]; manifestImages: number; complete: boolean; seconds: number }) : null;
  const fix = (r: AttackSummary) => ({ ...r, medianRmse: r.medianRmse ?? Infinity });
  const parts = [
    '# Adversarial evaluations (measured)',
    '',
    'Generated by `node dist/scripts/attacks-study.js` (scripts/attacks-study.ts); the raw numbers are in docs/attacks-data/.',
    'Small on purpose: a shared 2-core machine. Treat differences of one image as noise.',
    '',
    '## Hard-label attack: estimated gradients vs decision-based baselines',
    '',
    compare
      ? `Black box: SqueezeNet 1.1 (bundled), seen only through its top-1 class; every query is an 8-bit image (what a PNG or a label API carries). ` +
        `Untargeted; the true class is the model's clean answer. Photos: the first dev photos in manifest order that SqueezeNet classifies correctly (${compare.images.length}: ${compare.images.join(', ')}). ` +
        `Budget 1,000 queries per image and attack, every query counted (the clean answer, estimates, checks, bisections). ` +
        `Success = an adversarial image within RMSE t (pixels in [0, 1]); the median is over all images (∞ = most failed).\n\n` +
        compareTable(compare.results.map(fix))
      : '_not measured yet_',
    '',
    'Rows: `mi-fgsm` = MI-FGSM (momentum 1, step 2/255, halved after each success) on the gradient of the hard-label objective',
    '(−WordNet distance of the answer to the true class) estimated with 40 queries per step by the named estimator (σ adapts to',
    'the answers: it grows while no noisy copy changes the answer); after each success a bisection towards the clean image shrinks the',
    'perturbation. `hsja` = HopSkipJumpAttack (ℓ2, B0 = 100, paper Algorithm 2), `sign-opt` = Sign-OPT (K = 200, 100 starting',
    'directions, η = 0.2, β = 0.001). Both baselines keep probes and bisections at ≥ 1–2 grey levels, since finer ones round back to',
    'the same 8-bit image.',
    '',
    '## Transfer attack: MIG with backprop vs estimated attributions',
    '',
    transfer
      ? `Surrogate SqueezeNet 1.1 (Caffe preprocessing); victims the three MobileNets (inception preprocessing), each asked once about the final image. ` +
        `MIG: ε = 16/255 (L∞, pixel space), 10 iterations, step ε/10, momentum decay 1.0; IG with 10 steps from a black image. ` +
        `Attributions of the true-class logit by backprop, or estimated by the likelihood-ratio estimator from 200 surrogate queries per attribution ` +
        `(2,000 per image). \`mi-fgsm\` is the plain reference (backprop gradient of the log-probability). ` +
        `Images: those of the first ${transfer.manifestImages} manifest entries that SqueezeNet classifies correctly${transfer.complete ? '' : ' (the run was cut short: only the images finished by then)'}; a victim's rate counts the images it got right before the attack (their number in brackets). ${transfer.seconds.toFixed(0)} s.\n\n` +
        transferTable(transfer.results.map((r) => ({ ...r, victim: r.victim.replace('-1.0-224-dequant-fp32', '') })))
      : '_not measured yet_',
    '',
    '## What matches the paper, what does not',
    '',
    verdicts(compare?.results.map(fix) ?? null, transfer?.results ?? null),
    '',
    '## Caveats',
    '',
    '- Few photos (a shared 2-core machine): one photo moves a success rate by 5–7 points, so gaps of 10 points or less',
    '  are not significant. The larger gaps (HSJA vs the estimated-gradient attack, backprop vs estimated IG) are.',
    '- One black box for the hard-label table (SqueezeNet 1.1). The public reference point (HSJA on torchvision ResNet-50,',
    '  median ℓ2 ≈ 14.9, RMSE ≈ 0.038 at ≈ 1,000 queries) is a different model: not comparable number for number.',
    '- Every query here is an 8-bit image, as a label API receives it. HSJA and Sign-OPT were designed for float inputs; their',
    '  probe radii are floored at one to two grey levels (the only change to the papers\' settings), otherwise probes round away.',
    '- The transfer rows use 200 surrogate queries per estimated attribution (2,000 per image for 10 MIG iterations); RISE,',
    '  SmoothGrad and VarGrad rows are supported by `lrsal attack transfer --method` but were left out of this run for time.',
    '- Only SqueezeNet serves as surrogate here (the fastest to query); the command takes any of the four models in turn.',
    '- Likely reasons for the gaps (not tested here): the estimated-gradient attack takes L∞ sign steps that move every pixel,',
    '  while RMSE is an ℓ2 measure that HSJA and Sign-OPT minimise directly along the boundary; and an estimated IG from',
    '  200 queries (20 per path step) is a very noisy direction (docs/results.md measures cosines to the true gradient near',
    '  10 % at 1,000 queries), so larger estimation budgets may be what the paper\'s transfer claim needs.',
    '',
  ];
  writeFileSync(join(root, 'docs', 'attacks.md'), parts.join('\n'));
  log('wrote docs/attacks.md');
}

function verdicts(compare: AttackSummary[] | null, transfer: TransferRow[] | null): string {
  const lines: string[] = [];
  if (compare) {
    const ours = compare.filter((r) => r.attack === 'mi-fgsm');
    const baselines = compare.filter((r) => r.attack !== 'mi-fgsm');
    const bestOurs = [...ours].sort((a, b) => a.medianRmse - b.medianRmse)[0]!;
    const bestBase = [...baselines].sort((a, b) => a.medianRmse - b.medianRmse)[0]!;
    const ahead = bestOurs.medianRmse < bestBase.medianRmse;
    lines.push(
      `- Claim "the estimated-gradient attack is ahead of the heuristic baselines at 1,000 queries": ${ahead ? '**matches**' : '**does not match**'} here — ` +
        `best estimated-gradient row (${bestOurs.gradient}) median RMSE ${bestOurs.medianRmse.toFixed(4)}, success ≤ 0.01 ${(100 * bestOurs.successRate['0.01']).toFixed(0)} %; ` +
        `best baseline (${bestBase.attack}) ${bestBase.medianRmse.toFixed(4)}, ${(100 * bestBase.successRate['0.01']).toFixed(0)} % (${bestOurs.images} photos).`,
    );
    lines.push(
      compare.every((r) => r.successRate['0.05'] === 1)
        ? '- Every attack fools SqueezeNet on every image by RMSE 0.05: on this model the thresholds 0.05 and 0.1 do not separate the attacks; only RMSE ≤ 0.01 and the median do.'
        : '- Not every attack reaches RMSE 0.05 on every image (see the table).',
    );
    const focusedRow = compare.find((r) => r.attack === 'mi-fgsm' && r.gradient === 'focused');
    if (focusedRow && focusedRow.successRate['0.1'] < 0.5) {
      lines.push(
        `- The focused estimator fails as an attack direction on most photos (${(100 * focusedRow.successRate['0.1']).toFixed(0)} % by RMSE 0.1): its probes move a few pixels ` +
          'each, which almost never changes a hard label, so its estimate carries no signal. lr and blockwise probes move the whole image (or a block).',
      );
    }
  }
  if (transfer) {
    const mean = (method: string, gradient: string) => {
      const rows = transfer.filter((r) => r.method === method && r.gradient === gradient);
      return rows.length ? rows.reduce((s, r) => s + r.successRate, 0) / rows.length : NaN;
    };
    for (const method of ['ig', 'vanilla']) {
      const bp = mean(method, 'backprop');
      const lr = mean(method, 'lr');
      if (Number.isNaN(bp) || Number.isNaN(lr)) continue;
      lines.push(
        `- Claim "estimated attributions transfer at least as well as backprop ones" (${method}): ${lr >= bp ? '**matches**' : '**does not match**'} — ` +
          `mean success over the victims ${(100 * lr).toFixed(0)} % (estimated) vs ${(100 * bp).toFixed(0)} % (backprop), on ${Math.max(...transfer.map((r) => r.images))} photos per victim.`,
      );
    }
    const ref = mean('mi-fgsm', 'backprop');
    const mig = mean('ig', 'backprop');
    if (!Number.isNaN(ref) && !Number.isNaN(mig)) lines.push(`- MIG (backprop IG) vs plain MI-FGSM: ${(100 * mig).toFixed(0)} % vs ${(100 * ref).toFixed(0)} % mean success: ${mig > ref ? 'MIG ahead, as its paper reports' : 'MIG not ahead, unlike its paper'}.`);
  }
  return lines.join('\n');
}
