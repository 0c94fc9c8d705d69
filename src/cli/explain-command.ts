/** `lrsal explain IMAGE`: one saliency map, written as a PNG overlay and a raw .npy map. */
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { Command, Option } from 'commander';
import { EXPLAIN_DEFAULTS, explain, type ExplainOptions } from '../explain.js';
import { BLACK_BOX_GRADIENTS } from '../gradients/registry.js';
import { CHANNEL_REDUCTIONS } from '../methods/channel-reduction.js';
import { METHODS } from '../methods/registry.js';
import { loadClassifier } from '../models/classifier.js';
import { SCORE_OBJECTIVES } from '../objectives/scores.js';
import { encodeNpy } from '../render/npy.js';
import { renderOverlay } from '../render/overlay.js';
import { addModelOptions, classifierOptions, type ModelFlags } from './model-options.js';
import { fraction, integer, positiveNumber } from './parse.js';
import { progressBar } from './progress.js';

interface ExplainFlags extends ModelFlags, Omit<ExplainOptions, 'onProgress' | 'signal'> {
  out?: string;
  json?: boolean;
  progress?: boolean;
}

export function explainCommand(): Command {
  const cmd = new Command('explain')
    .description('saliency map of one image: PNG overlay + raw map (.npy)')
    .argument('<image>', 'JPEG/PNG/WebP image')
    .addOption(new Option('--method <name>', 'saliency method').choices(METHODS).default(EXPLAIN_DEFAULTS.method))
    .addOption(new Option('--gradient <source>', 'gradient source: black-box estimators, or backprop (exact, for comparison)').choices([...BLACK_BOX_GRADIENTS, 'backprop']).default(EXPLAIN_DEFAULTS.gradient))
    .option('--queries <n>', 'total model queries for the map, prediction included', integer('--queries', 1), EXPLAIN_DEFAULTS.queries)
    .option('--seed <n>', 'random seed (same seed → same map)', integer('--seed', 0), EXPLAIN_DEFAULTS.seed)
    .addOption(new Option('--objective <name>', 'what f is').choices(SCORE_OBJECTIVES).default(EXPLAIN_DEFAULTS.objective))
    .option('--target <class>', 'class to explain: index, WordNet id or name (default: top-1)')
    .option('--sigma <s>', 'noise std in model-input units (default: 0.05 grey levels)', positiveNumber('--sigma'))
    .option('--block <fraction>', 'blockwise: block side relative to the image', fraction('--block'))
    .option('--antithetic', 'query ±z pairs')
    .option('--no-baseline', 'do not subtract f(x)')
    .option('--batch-size <n>', 'queries per model call', integer('--batch-size', 1))
    .option('--steps <m>', 'IG path steps', integer('--steps', 1))
    .option('--samples <m>', 'SmoothGrad/VarGrad noisy copies', integer('--samples', 1))
    .option('--noise-level <f>', 'SmoothGrad/VarGrad noise, fraction of the input range', positiveNumber('--noise-level'))
    .option('--ig-baseline <kind>', 'IG baseline: black, blur or an image path', 'black')
    .option('--cells <s>', 'RISE grid cells per side', integer('--cells', 1))
    .option('--keep <p>', 'RISE keep probability', fraction('--keep'))
    .addOption(new Option('--reduction <how>', 'channel reduction for the map').choices(CHANNEL_REDUCTIONS).default(EXPLAIN_DEFAULTS.reduction))
    .option('--out <file.png>', 'overlay PNG (the raw map goes beside it as .npy); default out/<image>.<method>-<gradient>.png')
    .option('--json', 'print one JSON summary on stdout')
    .option('--no-progress', 'no progress bar');
  addModelOptions(cmd);
  return cmd.action(async (imagePath: string, flags: ExplainFlags) => {
    const warn = (m: string) => process.stderr.write(`lrsal: warning: ${m}\n`);
    const classifier = await loadClassifier(classifierOptions(flags, warn));
    const bar = progressBar(flags.method ?? 'explain', flags.progress !== false && Boolean(process.stderr.isTTY));
    try {
      const result = await explain(classifier, imagePath, { ...explainOptions(flags), onProgress: (p) => bar.update(p) });
      bar.stop();
      const tag = result.gradient === 'none' ? result.method : `${result.method}-${result.gradient}`;
      const overlayPath = flags.out ?? join('out', `${basename(imagePath, extname(imagePath))}.${tag}.png`);
      const mapPath = overlayPath.replace(/\.png$/i, '') + '.npy';
      await mkdir(dirname(overlayPath) || '.', { recursive: true });
      await writeFile(overlayPath, await renderOverlay(result.image, result.map));
      await writeFile(mapPath, encodeNpy(result.map, [result.image.height, result.image.width]));
      const summary = {
        target: result.target,
        method: result.method,
        gradient: result.gradient,
        objective: result.objective,
        queries: result.queries,
        seconds: Number(result.seconds.toFixed(3)),
        seed: result.seed,
        sigma: result.sigma,
        predictions: result.predictions,
        outputs: { overlay: overlayPath, map: mapPath, mapShape: [result.image.height, result.image.width] },
      };
      if (flags.json) process.stdout.write(JSON.stringify(summary) + '\n');
      else {
        const top = result.predictions[0]!;
        process.stdout.write(
          `predicted ${top.label} (${(top.probability * 100).toFixed(1)} %); explained ${result.target.label} [${result.target.index}] ` +
            `with ${tag}, ${result.queries} queries in ${result.seconds.toFixed(1)} s\n` +
            `wrote ${overlayPath} and ${mapPath}\n`,
        );
      }
    } finally {
      bar.stop();
      await classifier.dispose();
    }
  });
}

function explainOptions(f: ExplainFlags): ExplainOptions {
  const keys = ['method', 'gradient', 'queries', 'seed', 'objective', 'target', 'sigma', 'block', 'antithetic', 'baseline', 'batchSize', 'steps', 'samples', 'noiseLevel', 'igBaseline', 'cells', 'keep', 'reduction'] as const;
  const out: Record<string, unknown> = {};
  for (const k of keys) if (f[k] !== undefined) out[k] = f[k];
  return out as ExplainOptions;
}
