/**
 * `lrsal attack`: the adversarial evaluations.
 *   hard-label IMAGE — one untargeted attack on a label-only black box (ONNX top-1 or a label API);
 *   compare --images DIR — every hard-label attack on the same images, budget and black box, one table;
 *   transfer --images DIR — saliency-guided transfer (MIG) from a surrogate to victims, success per victim.
 */
import { Command, Option } from 'commander';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AttackSummary } from '../attacks/hard-label.js';
import { pixelsToRgb, rgbToPixels } from '../attacks/pixels.js';
import { invalidArgument } from '../core/errors.js';
import { QueryLedger } from '../core/ledger.js';
import { METHODS } from '../methods/registry.js';
import { encodePng, loadImage } from '../io/image.js';
import { loadClassifier, type Classifier } from '../models/classifier.js';
import { packageRoot } from '../models/config.js';
import { DEFAULT_CACHE_DIR } from '../models/remote/options.js';
import { visionApiModel } from '../models/remote/vision-api.js';
import type { RemoteLabelModel } from '../models/remote/types.js';
import { ATTACK_GRADIENTS, attackOne, classifierBlackBox, compareHardLabel, HARD_LABEL_ATTACKS, labelApiBlackBox, type HardLabelBlackBox, type HardLabelSignalName } from './hard-label-runs.js';
import { addModelOptions, classifierOptions, type ModelFlags } from './model-options.js';
import { choice, integer, list } from './parse.js';
import { modelName, parseModelSpec, runTransfer, TRANSFER_GRADIENTS, type TransferGradient } from './transfer-runs.js';
import { resolve } from 'node:path';

interface BlackBoxFlags extends ModelFlags {
  api?: 'vision';
  endpoint?: string;
  cache?: boolean;
  cacheDir?: string;
  queries: number;
  seed: number;
  signal: HardLabelSignalName;
  json?: boolean;
}

export function attackCommand(): Command {
  const cmd = new Command('attack').description('adversarial evaluations: hard-label attacks on estimated gradients, saliency-guided transfer');
  cmd.addCommand(hardLabelCommand()).addCommand(compareCommand()).addCommand(transferCommand());
  for (const sub of cmd.commands) sub.exitOverride();
  return cmd;
}

function addBlackBoxOptions(cmd: Command): Command {
  addModelOptions(cmd);
  return cmd
    .addOption(new Option('--api <api>', 'attack a label API over HTTP instead of an ONNX file').choices(['vision']))
    .option('--endpoint <url>', 'label API base URL, e.g. http://127.0.0.1:8080 (lrsal serve-model --api vision)')
    .option('--no-cache', `label API: do not keep answers on disk (default: kept in ${DEFAULT_CACHE_DIR}, a rerun is free)`)
    .option('--cache-dir <dir>', 'label API: answer cache folder', DEFAULT_CACHE_DIR)
    .requiredOption('--queries <n>', 'query budget per image and attack (every query counts, checks included)', integer('--queries', 10))
    .option('--seed <s>', 'random seed', integer('--seed', 0), 0)
    .addOption(new Option('--signal <kind>', 'hard-label objective: −WordNet distance to the true class, or 0/1 (still the true class)').choices(['wordnet', 'zero-one']).default('wordnet'))
    .option('--json', 'print JSON');
}

async function openBlackBox(flags: BlackBoxFlags): Promise<{ box: HardLabelBlackBox; close(): Promise<void>; remote?: RemoteLabelModel }> {
  if (flags.api) {
    if (!flags.endpoint) throw invalidArgument('--api vision needs --endpoint URL');
    if (flags.model) throw invalidArgument('give either --model (a local ONNX file) or --api (a label API), not both');
    const model = visionApiModel({
      endpoint: flags.endpoint,
      inputShape: { channels: 3, height: 224, width: 224 },
      maxResults: 1,
      cacheDir: flags.cache === false ? false : flags.cacheDir ?? DEFAULT_CACHE_DIR,
    });
    return { box: labelApiBlackBox(model), remote: model, close: () => model.dispose() };
  }
  const warn = (m: string) => process.stderr.write(`lrsal: warning: ${m}\n`);
  const options = classifierOptions(flags, warn);
  // A bare ONNX file gets the bundled ImageNet class list, so the WordNet signal knows each class's synset.
  if (flags.model && !flags.model.endsWith('.json') && !flags.labels) options.labels = resolve(packageRoot(), 'models', 'imagenet-classes.json');
  const classifier: Classifier = await loadClassifier({ ...options, threads: flags.threads ?? 1 });
  return { box: classifierBlackBox(classifier, classifier.card.name ?? classifier.card.model), close: () => classifier.dispose() };
}

function hardLabelCommand(): Command {
  const cmd = new Command('hard-label')
    .description('untargeted attack on a label-only black box; reports the perturbation RMSE reached (pixels in [0, 1])')
    .argument('<image>', 'image file')
    .addOption(new Option('--attack <name>', 'attack').choices([...HARD_LABEL_ATTACKS]).default('mi-fgsm'))
    .addOption(new Option('--gradient <source>', 'mi-fgsm: gradient estimator').choices([...ATTACK_GRADIENTS]).default('lr'))
    .option('--out <file.png>', 'save the adversarial image (lossless PNG) and re-verify it with one more query (within the budget)');
  addBlackBoxOptions(cmd);
  return cmd.action(async (image: string, flags: BlackBoxFlags & { attack: (typeof HARD_LABEL_ATTACKS)[number]; gradient: (typeof ATTACK_GRADIENTS)[number]; out?: string }) => {
    if (flags.out && !flags.out.toLowerCase().endsWith('.png')) throw invalidArgument(`--out must name a .png file (lossless), got ${flags.out}`);
    const { box, close, remote } = await openBlackBox(flags);
    try {
      const x0 = await box.load(image);
      const verify = flags.out ? 1 : 0;
      if (flags.queries - verify < 10) throw invalidArgument(`--queries must leave at least 10 queries for the attack, got ${flags.queries}`);
      const started = Date.now();
      const outcome = await attackOne(box, x0, { attack: flags.attack, gradient: flags.gradient }, flags.queries - verify, flags.seed, flags.signal);
      let verified: { answer: string; adversarial: boolean } | undefined;
      if (flags.out && outcome.adversarial) {
        const { height, width } = box.shape;
        await mkdir(dirname(resolve(flags.out)), { recursive: true });
        await writeFile(flags.out, await encodePng({ height, width, data: Uint8Array.from(pixelsToRgb(outcome.adversarial, height, width)) }));
        const saved = await loadImage(flags.out);
        const answer = await box.answer(rgbToPixels(saved.data, saved.height, saved.width), new QueryLedger(1));
        verified = { answer, adversarial: answer !== outcome.truth };
      }
      const queries = outcome.queries + (verified ? 1 : 0);
      const result = {
        attack: outcome.attack,
        gradient: outcome.gradient,
        truth: outcome.truth,
        success: outcome.adversarial !== null,
        rmse: Number.isFinite(outcome.rmse) ? outcome.rmse : null,
        queries,
        budget: flags.queries,
        seconds: (Date.now() - started) / 1000,
        ...(remote ? { sent: remote.stats().sent, cacheHits: remote.stats().cacheHits } : {}),
        ...(flags.out && outcome.adversarial ? { out: flags.out, verified } : {}),
      };
      if (flags.json) process.stdout.write(JSON.stringify(result) + '\n');
      else {
        const tag = outcome.gradient ? `${outcome.attack} (${outcome.gradient})` : outcome.attack;
        process.stdout.write(
          outcome.adversarial
            ? `${tag}: the black box no longer answers "${outcome.truth}" at RMSE ${outcome.rmse.toFixed(4)} (L2 ${(outcome.rmse * Math.sqrt(outcome.adversarial.length)).toFixed(2)}), ${queries} of ${flags.queries} queries\n`
            : `${tag}: no adversarial image within ${flags.queries} queries (true class "${outcome.truth}")\n`,
        );
        if (verified) process.stdout.write(`saved ${flags.out}; re-read and asked again: "${verified.answer}" (${verified.adversarial ? 'still adversarial' : 'NOT adversarial after saving'})\n`);
        if (remote) process.stdout.write(`${remote.stats().sent} images sent, ${remote.stats().cacheHits} answered from the cache\n`);
      }
      if (verified && !verified.adversarial) process.exitCode = 1;
    } finally {
      await close();
    }
  });
}

function compareCommand(): Command {
  const cmd = new Command('compare')
    .description('every hard-label attack (estimated-gradient MI-FGSM with lr/blockwise/focused, HSJA, Sign-OPT) on the same images and budget')
    .requiredOption('--images <dir>', 'folder with manifest.json ([{"file","index"}])')
    .option('--limit <n>', 'first n images of the manifest', integer('--limit', 1));
  addBlackBoxOptions(cmd);
  return cmd.action(async (flags: BlackBoxFlags & { images: string; limit?: number }) => {
    const { box, close } = await openBlackBox(flags);
    try {
      const { results, skipped } = await compareHardLabel(box, {
        dir: flags.images,
        queries: flags.queries,
        seed: flags.seed,
        signal: flags.signal,
        ...(flags.limit ? { limit: flags.limit } : {}),
        onOutcome: (file, o) => process.stderr.write(`lrsal: ${file} ${o.attack}${o.gradient ? `/${o.gradient}` : ''}: RMSE ${o.rmse.toFixed(4)}, ${o.queries} queries\n`),
      });
      if (flags.json) process.stdout.write(JSON.stringify({ results: results.map(jsonRow), skipped }) + '\n');
      else process.stdout.write(compareTable(results) + (skipped ? `(${skipped} images skipped: the black box misclassifies them clean)\n` : ''));
    } finally {
      await close();
    }
  });
}

function jsonRow(r: AttackSummary) {
  return { ...r, medianRmse: Number.isFinite(r.medianRmse) ? r.medianRmse : null };
}

/** The compare table as Markdown (also used by docs/attacks.md). */
export function compareTable(results: readonly AttackSummary[]): string {
  const pct = (v: number) => `${(100 * v).toFixed(0)} %`;
  const lines = [
    '| attack | gradient | queries | max used | success RMSE ≤ 0.01 | ≤ 0.05 | ≤ 0.1 | median RMSE | images |',
    '|---|---|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.attack} | ${r.gradient || '—'} | ${r.queries} | ${r.maxQueriesUsed} | ${pct(r.successRate['0.01'])} | ${pct(r.successRate['0.05'])} | ${pct(r.successRate['0.1'])} | ${Number.isFinite(r.medianRmse) ? r.medianRmse.toFixed(4) : '∞'} | ${r.images} |`,
    ),
  ];
  return lines.join('\n') + '\n';
}

function transferCommand(): Command {
  return new Command('transfer')
    .description('saliency-guided transfer attack (MIG: ε = 16/255 L∞, 10 steps, momentum 1) from a surrogate to victims')
    .requiredOption('--images <dir>', 'folder with manifest.json ([{"file","index"}])')
    .requiredOption('--surrogate <model>', 'surrogate: model card (.json) or ONNX file, optionally path:preset (e.g. m.onnx:inception)')
    .requiredOption('--victims <models>', 'comma-separated victims, same syntax', list((v) => v))
    .option('--method <names>', `attribution methods, comma-separated (${METHODS.join(', ')}), plus mi-fgsm (plain reference)`, list(choice('--method', [...METHODS, 'mi-fgsm'])), ['ig'])
    .option('--gradient <names>', `attribution gradients, comma-separated (${TRANSFER_GRADIENTS.join(', ')})`, list(choice('--gradient', [...TRANSFER_GRADIENTS])), ['backprop'])
    .option('--preprocess <preset>', 'preprocessing of ONNX files given without a card or :preset', choice('--preprocess', ['caffe', 'inception', 'torchvision', 'raw'] as const))
    .option('--queries <n>', 'surrogate queries per estimated attribution (and per RISE map)', integer('--queries', 1), 200)
    .option('--limit <n>', 'first n images of the manifest', integer('--limit', 1))
    .option('--seed <s>', 'random seed', integer('--seed', 0), 0)
    .option('--no-reference', 'leave out the plain MI-FGSM reference row')
    .option('--json', 'print JSON')
    .action(async (flags: { images: string; surrogate: string; victims: string[]; method: string[]; gradient: TransferGradient[]; preprocess?: 'caffe' | 'inception' | 'torchvision' | 'raw'; queries: number; limit?: number; seed: number; reference: boolean; json?: boolean }) => {
      const victims = flags.victims.filter((v) => v.trim()).map((v) => parseModelSpec(v.trim(), flags.preprocess));
      if (!victims.length) throw invalidArgument('--victims needs at least one model');
      const surrogate = parseModelSpec(flags.surrogate, flags.preprocess);
      const rows = [
        ...(flags.reference ? [{ method: 'mi-fgsm', gradient: 'backprop' as TransferGradient }] : []),
        ...flags.method.filter((m) => m !== 'mi-fgsm').flatMap((method) => (method === 'rise' ? [{ method, gradient: 'lr' as TransferGradient }] : flags.gradient.map((gradient) => ({ method, gradient })))),
      ];
      const results = await runTransfer({
        dir: flags.images,
        surrogate,
        victims,
        rows,
        queries: flags.queries,
        seed: flags.seed,
        ...(flags.limit ? { limit: flags.limit } : {}),
        warn: (m) => process.stderr.write(`lrsal: warning: ${m}\n`),
        onImage: (file) => process.stderr.write(`lrsal: attacking ${file} on ${modelName(surrogate)}\n`),
      });
      if (flags.json) process.stdout.write(JSON.stringify({ results }) + '\n');
      else process.stdout.write(transferTable(results));
    });
}

/** The transfer table as Markdown: one row per (method, gradient), one column per victim. */
export function transferTable(results: ReadonlyArray<{ surrogate: string; victim: string; method: string; gradient: string; successRate: number; images: number }>): string {
  const victims = [...new Set(results.map((r) => r.victim))];
  const keys = [...new Set(results.map((r) => `${r.method}\u0000${r.gradient}`))];
  const lines = [
    `| surrogate | method | gradient | ${victims.map((v) => `→ ${v}`).join(' | ')} |`,
    `|---|---|---|${victims.map(() => '---').join('|')}|`,
    ...keys.map((key) => {
      const [method, gradient] = key.split('\u0000');
      const cells = victims.map((v) => {
        const r = results.find((x) => x.victim === v && x.method === method && x.gradient === gradient);
        return r ? `${(100 * r.successRate).toFixed(0)} % (${r.images})` : '—';
      });
      return `| ${results[0]?.surrogate ?? ''} | ${method} | ${gradient} | ${cells.join(' | ')} |`;
    }),
  ];
  return lines.join('\n') + '\n';
}
