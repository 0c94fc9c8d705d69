/** `lrsal eval`: deletion/insertion AUC per method × gradient source at one query budget (paper Table 1). */
import { writeFile } from 'node:fs/promises';
import { Command, InvalidArgumentError } from 'commander';
import { loadDifferentiableModel, type DifferentiableModel } from '../models/differentiable-onnx.js';
import { evaluateDeletionInsertion } from '../experiments/deletion-insertion-eval.js';
import { readManifest } from '../experiments/manifest.js';
import { selectHalf, type DevHalf } from '../experiments/dev-split.js';
import { IG_PATHS, type IgPath } from '../methods/integrated-gradients.js';
import type { GradientName } from '../explain/index.js';
import { NOISE_SHAPES, type NoiseShape } from '../gradients/noise-shapes.js';
import { BLACK_BOX_GRADIENTS } from '../gradients/registry.js';
import { METHODS, type MethodName } from '../methods/registry.js';
import { loadClassifier } from '../models/classifier.js';
import { addModelOptions, classifierOptions, type ModelFlags } from './model-options.js';
import { choice, fraction, integer, list, positiveNumber } from './parse.js';
import { CHANNEL_REDUCTIONS, type ChannelReduction } from '../methods/channel-reduction.js';
import { parseIgBaseline } from '../methods/ig-baseline-spec.js';
import type { EvalSettings } from '../experiments/deletion-insertion-eval.js';
import { pick } from '../core/options.js';
import { progressBar } from './progress.js';
import { renderCurvesSvg } from '../render/curves-svg.js';

interface EvalFlags extends ModelFlags {
  images: string;
  limit?: number;
  methods: MethodName[];
  gradient: GradientName[];
  queries: number;
  seed: number;
  igBaseline?: string;
  igPath?: IgPath;
  antithetic?: boolean;
  half?: DevHalf;
  sigma?: number;
  noise?: NoiseShape;
  tile?: number;
  // issue 17's sweep: explain() settings passed through to the gradient-based maps.
  reduction?: ChannelReduction;
  tunnel?: 'smoothgrad' | 'vargrad';
  samples?: number;
  noiseLevel?: number;
  block?: number;
  steps?: number;
  references: boolean;
  json?: boolean;
  save?: string;
  plot?: string;
  maps?: string;
}

export function evalCommand(): Command {
  const cmd = new Command('eval')
    .description('deletion/insertion AUC (RISE protocol) per method × gradient source, over a folder of images')
    .requiredOption('--images <dir>', 'folder with images and manifest.json')
    .option('--limit <k>', 'first k images only', integer('--limit', 1))
    .option('--methods <list>', 'methods', list(choice('--methods', METHODS)), [...METHODS])
    .option('--gradient <list>', 'gradient sources', list(choice('--gradient', [...BLACK_BOX_GRADIENTS, 'backprop'] as GradientName[])), ['backprop', 'lr', 'blockwise', 'focused'])
    .option('--queries <n>', 'query budget per map (every black-box method, RISE included)', integer('--queries', 2), 1000)
    .option('--seed <n>', 'random seed', integer('--seed', 0), 0)
    .option('--half <half>', 'dev photos only: the tune or report half of the fixed split (docs/dev-split.md), before --limit', choice('--half', ['tune', 'report'] as DevHalf[]))
    .option('--ig-path <kind>', `IG path estimate (${IG_PATHS.join(', ')}; default steps)`, choice('--ig-path', IG_PATHS))
    .option('--antithetic', 'antithetic noise pairs for the black-box gradients (default: each gradient\'s)')
    .option('--ig-baseline <kind>', 'IG baseline: black, blur, blur:<σ px>, mean, expected:blur:<σ1>,<σ2>,… or an image path (default: as explain)', igBaselineFlag)
    .option('--reduction <how>', `channel reduction of the gradient-based maps (${CHANNEL_REDUCTIONS.join(', ')}; default: as explain)`, choice('--reduction', CHANNEL_REDUCTIONS))
    .option('--tunnel <aggregate>', 'wrap the gradient-based methods in a noise tunnel (smoothgrad, vargrad; e.g. SmoothGrad over IG)', choice('--tunnel', ['smoothgrad', 'vargrad'] as const))
    .option('--samples <m>', 'noise tunnel copies (default: as explain)', integer('--samples', 1))
    .option('--noise-level <f>', 'noise tunnel noise, fraction of the input range (default: as explain)', positiveNumber('--noise-level'))
    .option('--block <fraction>', 'blockwise: block side relative to the image (default: as explain)', fraction('--block'))
    .option('--steps <m>', 'IG path steps (sampled path: anchors; default: as explain)', integer('--steps', 1))
    .option('--no-references', 'skip the model-free reference rows (random, centre prior, blur difference)')
    .option('--sigma <s>', 'noise σ of the black-box gradients, model-input units (default: ONNX models 20 grey levels for blockwise, 0.05 otherwise)', positiveNumber('--sigma'))
    .option('--noise <shape>', `noise shape of the black-box gradients (${NOISE_SHAPES.join(', ')}; default: each gradient's)`, choice('--noise', NOISE_SHAPES))
    .option('--tile <px>', 'noise tile side of the black-box gradients (default: each gradient\'s)', integer('--tile', 1))
    .option('--save <file.json>', 'also write the JSON result to a file')
    .option('--plot <file.svg>', 'write the mean deletion and insertion curves as an SVG plot')
    .option('--maps <dir>', 'also score maps made by any other tool: <dir>/<image file stem>.npy, H×W at the image\'s size or the model\'s input size (row "maps"; alone unless --methods is given)')
    .option('--json', 'print JSON instead of a table');
  addModelOptions(cmd);
  return cmd.action(async (flags: EvalFlags) => {
    // With --maps, the other tool's maps are the subject: lrsal's methods run only when asked for.
    if (flags.maps && cmd.getOptionValueSource('methods') !== 'cli') flags.methods = [];
    const classifier = await loadClassifier(classifierOptions(flags, (m) => process.stderr.write(`lrsal: warning: ${m}\n`)));
    let differentiable: DifferentiableModel | undefined;
    const bar = progressBar('eval');
    try {
      if (flags.gradient.includes('backprop')) differentiable = await loadDifferentiableModel(classifier.card.model);
      const images = selectHalf(await readManifest(flags.images), flags.half, flags.limit);
      const out = await evaluateDeletionInsertion(
        classifier,
        images,
        { methods: flags.methods, gradients: flags.gradient, queries: flags.queries, seed: flags.seed, ...(flags.igBaseline ? { igBaseline: flags.igBaseline } : {}), ...(flags.igPath ? { igPath: flags.igPath } : {}), ...(flags.antithetic ? { antithetic: true } : {}), ...(flags.sigma ? { sigma: flags.sigma } : {}), ...(flags.noise ? { noise: flags.noise } : {}), ...(flags.tile ? { tile: flags.tile } : {}), ...(flags.maps ? { maps: flags.maps } : {}), ...(differentiable ? { differentiable } : {}), references: flags.references, settings: pick(flags, ['reduction', 'tunnel', 'samples', 'noiseLevel', 'block', 'steps']) as EvalSettings },
        (done, total) => bar.update({ spent: done, budget: total }),
      );
      bar.stop();
      // The settings travel with the result, so a saved sweep row says what it measured.
      const json = JSON.stringify({ ...out, settings: pick(flags, ['queries', 'seed', 'half', 'limit', 'igBaseline', 'igPath', 'antithetic', 'sigma', 'noise', 'tile', 'reduction', 'tunnel', 'samples', 'noiseLevel', 'block', 'steps']) });
      if (flags.save) await writeFile(flags.save, json + '\n');
      if (flags.plot) {
        const series = out.curves.map((c, i) => ({ label: `${c.method}${c.gradient === 'none' ? '' : ` (${c.gradient})`}${out.results[i]!.queries ? `, ${flags.queries} queries` : ''}`, deletion: c.deletion, insertion: c.insertion }));
        await writeFile(flags.plot, renderCurvesSvg(series, `Deletion ↓ and insertion ↑ of the class probability, mean over ${out.results[0]?.images ?? 0} images`));
      }
      if (flags.json) process.stdout.write(json + '\n');
      else {
        process.stdout.write(`method          gradient   queries | deletion ↓ (sd)  | insertion ↑ (sd) | AOPC ↑ (sd)      | MoRF−LeRF ↑ (sd) | images\n`);
        const cell = (s: { mean: number; std: number }) => `${s.mean.toFixed(3).padStart(6)} (${s.std.toFixed(3)})`;
        for (const r of out.results) {
          process.stdout.write(
            `${r.method.padEnd(15)} ${r.gradient.padEnd(10)} ${String(r.queries || '-').padStart(7)} | ${cell(r.deletion)}   | ${cell(r.insertion)}   | ${cell(r.aopc)}   | ${cell(r.morfLerf)}   | ${r.images}\n`,
          );
        }
        process.stdout.write(`deletion fill: ${out.fills.deletion}\ninsertion: ${out.fills.insertion}\n`);
        process.stdout.write('random, centre-prior and blur-difference use no model: a method should beat them to mean anything\n');
        process.stdout.write(`skipped (misclassified): ${out.skipped}\n`);
      }
    } finally {
      bar.stop();
      await differentiable?.dispose();
      await classifier.dispose();
    }
  });
}

/** --ig-baseline checked at parse time, so a typo fails before the model loads. */
function igBaselineFlag(value: string): string {
  try {
    parseIgBaseline(value);
  } catch (e) {
    throw new InvalidArgumentError(`--ig-baseline: ${(e as Error).message}`);
  }
  return value;
}
