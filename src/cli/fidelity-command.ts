/** `lrsal fidelity`: cosine (and rank correlation) of black-box estimates to the backprop gradient. */
import { writeFile } from 'node:fs/promises';
import { Command, InvalidArgumentError } from 'commander';
import { loadDifferentiableModel } from '../models/differentiable-onnx.js';
import { measureFidelity, type FidelityConfig } from '../experiments/fidelity.js';
import { NOISE_SHAPES, type NoiseShape } from '../gradients/noise-shapes.js';
import { PREPROCESSING_PRESETS, type PresetName } from '../models/preprocess.js';
import { resolvePreprocessing } from '../models/config.js';
import { readManifest } from '../experiments/manifest.js';
import { BLACK_BOX_GRADIENTS, type BlackBoxGradientName } from '../gradients/registry.js';
import { loadClassifier } from '../models/classifier.js';
import { pixelStep } from '../models/preprocess.js';
import { SCORE_OBJECTIVES, type ScoreObjective } from '../objectives/scores.js';
import { DEFAULT_SIGMA_GREY_LEVELS } from '../explain/index.js';
import { addModelOptions, classifierOptions, type ModelFlags } from './model-options.js';
import { choice, fraction, integer, list, positiveNumber } from './parse.js';
import { progressBar } from './progress.js';

interface FidelityFlags extends ModelFlags {
  images: string;
  limit?: number;
  queries: number[];
  gradient: BlackBoxGradientName[];
  block: number[];
  sigma?: number[];
  objective: ScoreObjective;
  antithetic?: boolean | string;
  noise?: NoiseShape[];
  tile?: number[];
  grid?: number[];
  survey?: number[];
  prior?: string;
  priorPreprocess: PresetName;
  seed: number;
  json?: boolean;
  save?: string;
}

export function fidelityCommand(): Command {
  const cmd = new Command('fidelity')
    .description('cosine of LR/blockwise/focused estimates to the backprop gradient (paper Tables 4-5), over a folder of images')
    .requiredOption('--images <dir>', 'folder with images and manifest.json')
    .option('--limit <k>', 'first k images only', integer('--limit', 1))
    .option('--queries <list>', 'query counts', list(integer('--queries', 1)), [500, 1000, 2000, 5000])
    .option('--gradient <list>', 'gradient sources', list(choice('--gradient', BLACK_BOX_GRADIENTS)), ['lr', 'blockwise', 'focused'])
    .option('--block <list>', 'blockwise relative block sizes', list(fraction('--block')), [0.05, 0.1, 0.25, 0.5])
    .option('--sigma <list>', 'noise σ values in model-input units (default: 0.05 grey levels)', list(positiveNumber('--sigma')))
    .option('--objective <name>', 'what f is', choice('--objective', SCORE_OBJECTIVES), 'logit')
    .option('--antithetic [list]', 'query ±z pairs: bare flag = on; or a list of on,off to compare')
    .option('--noise <list>', `noise shapes (${NOISE_SHAPES.join(', ')}; default: the estimator default)`, list(choice('--noise', NOISE_SHAPES)))
    .option('--tile <list>', 'noise tile sides in pixels (1 = per pixel; default: the estimator default)', list(integer('--tile', 1)))
    .option('--grid <list>', 'focused: cells per image side (default 16)', list(integer('--grid', 1)))
    .option('--survey <list>', 'focused: share of the budget spent surveying cells (default 0.2)', list(fraction('--survey')))
    .option('--prior <surrogate.onnx>', 'also measure each setting guided by this white-box surrogate\'s gradient')
    .option('--prior-preprocess <preset>', 'the surrogate\'s preprocessing preset', choice('--prior-preprocess', Object.keys(PREPROCESSING_PRESETS) as PresetName[]), 'inception')
    .option('--seed <n>', 'random seed', integer('--seed', 0), 0)
    .option('--save <file.json>', 'also write the JSON result to a file')
    .option('--json', 'print JSON instead of a table');
  addModelOptions(cmd);
  return cmd.action(async (flags: FidelityFlags) => {
    const classifier = await loadClassifier(classifierOptions(flags, (m) => process.stderr.write(`lrsal: warning: ${m}\n`)));
    const differentiable = await loadDifferentiableModel(classifier.card.model);
    const surrogateModel = flags.prior ? await loadDifferentiableModel(flags.prior) : undefined;
    const bar = progressBar('fidelity');
    try {
      const images = await readManifest(flags.images, flags.limit);
      const step = pixelStep(classifier.preprocessing);
      const sigmas = flags.sigma ?? [DEFAULT_SIGMA_GREY_LEVELS * (step.reduce((a, b) => a + b) / step.length)];
      const config: FidelityConfig = {
        gradients: flags.gradient,
        queries: flags.queries,
        blocks: flags.block,
        sigmas,
        objective: flags.objective,
        seed: flags.seed,
        ...(flags.noise ? { noises: flags.noise } : {}),
        ...(flags.tile ? { tiles: flags.tile } : {}),
        ...(flags.grid ? { grids: flags.grid } : {}),
        ...(flags.survey ? { surveys: flags.survey } : {}),
        ...(flags.antithetic !== undefined ? { antithetic: antitheticList(flags.antithetic) } : {}),
      };
      if (surrogateModel) {
        const [height, width] = surrogateModel.inputShape.slice(1) as [number, number];
        config.surrogate = { model: surrogateModel, preprocessing: resolvePreprocessing({ preset: flags.priorPreprocess }, { height, width }) };
      }
      const results = await measureFidelity(classifier, differentiable, images, config, (done, total) => bar.update({ spent: done, budget: total }));
      bar.stop();
      const json = JSON.stringify({ images: images.length, results });
      if (flags.save) await writeFile(flags.save, json + '\n');
      if (flags.json) process.stdout.write(json + '\n');
      else {
        const pct = (v: number) => (100 * v).toFixed(1).padStart(6);
        process.stdout.write(`gradient   sigma    queries  block noise          tile anti prior | cosine %  (sd)  | rank corr (sd) | isotropic bound % | shape bound %\n`);
        for (const r of results) {
          const setting = `${r.noise.padEnd(14)} ${String(r.tile).padStart(4)} ${(r.antithetic ? 'on' : 'off').padStart(4)} ${(r.prior ? 'on' : 'off').padStart(5)}`;
          process.stdout.write(
            `${r.gradient.padEnd(10)} ${r.sigma.toPrecision(3).padStart(7)} ${String(r.queries).padStart(8)} ${(r.block ?? (r.grid ? `g${r.grid}/${r.survey}` : '-')).toString().padStart(6)} ${setting} | ${pct(r.cosine.mean)} ${pct(r.cosine.std)} | ${r.rankCorrelation.mean.toFixed(3)} (${r.rankCorrelation.std.toFixed(3)}) | ${pct(r.isotropicBound)} | ${pct(r.shapeBound)}\n`,
          );
        }
      }
    } finally {
      bar.stop();
      await differentiable.dispose();
      await surrogateModel?.dispose();
      await classifier.dispose();
    }
  });
}

function antitheticList(value: boolean | string): boolean[] {
  if (value === true) return [true];
  return String(value)
    .split(',')
    .map((v) => {
      const t = v.trim();
      if (t !== 'on' && t !== 'off') throw new InvalidArgumentError(`--antithetic takes on, off or both, got "${t}"`);
      return t === 'on';
    });
}
