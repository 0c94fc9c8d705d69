/** `lrsal sanity IMAGE`: model-parameter randomisation and random-logit checks of the maps (Adebayo et al. 2018). */
import { Command } from 'commander';
import type { GradientName } from '../explain/index.js';
import { BLACK_BOX_GRADIENTS } from '../gradients/registry.js';
import { METHODS, type MethodName } from '../methods/registry.js';
import { loadClassifier } from '../models/classifier.js';
import { SANITY_DEFAULTS, sanityCheck } from '../sanity/sanity-check.js';
import { addModelOptions, classifierOptions, type ModelFlags } from './model-options.js';
import { choice, fraction, integer, list, positiveNumber } from './parse.js';
import { progressBar } from './progress.js';

interface SanityFlags extends ModelFlags {
  methods: MethodName[];
  gradient: GradientName[];
  queries: number;
  seed: number;
  cascade: number;
  threshold: number;
  sigma?: number;
  json?: boolean;
}

export function sanityCommand(): Command {
  const cmd = new Command('sanity')
    .description('sanity checks: do the maps change when the model\'s layers are randomised (top down) or another class is explained?')
    .argument('<image>', 'JPEG/PNG/WebP image')
    .option('--methods <list>', 'methods', list(choice('--methods', METHODS)), ['vanilla', 'ig'] as MethodName[])
    .option('--gradient <list>', 'gradient sources', list(choice('--gradient', [...BLACK_BOX_GRADIENTS, 'backprop'] as GradientName[])), ['backprop', 'lr', 'blockwise'] as GradientName[])
    .option('--queries <n>', 'query budget per map', integer('--queries', 2), 500)
    .option('--seed <n>', 'random seed (maps, randomised weights, random class)', integer('--seed', 0), 0)
    .option('--cascade <k>', 'cascade depths tested, from the top layer to all layers', integer('--cascade', 1), SANITY_DEFAULTS.cascadePoints)
    .option('--threshold <rho>', 'flag a map that keeps this share of its repeat ρ after randomisation', fraction('--threshold'), SANITY_DEFAULTS.threshold)
    .option('--sigma <s>', 'noise σ of the black-box gradients, model-input units', positiveNumber('--sigma'))
    .option('--json', 'print JSON instead of a table');
  addModelOptions(cmd);
  return cmd.action(async (image: string, flags: SanityFlags) => {
    const classifier = await loadClassifier(classifierOptions(flags, (m) => process.stderr.write(`lrsal: warning: ${m}\n`)));
    const bar = progressBar('sanity');
    try {
      const report = await sanityCheck(classifier, image, {
        methods: flags.methods,
        gradients: flags.gradient,
        queries: flags.queries,
        seed: flags.seed,
        cascadePoints: flags.cascade,
        threshold: flags.threshold,
        ...(flags.sigma ? { explain: { sigma: flags.sigma } } : {}),
        onStep: (done, total) => bar.update({ spent: done, budget: total }),
      });
      bar.stop();
      if (flags.json) {
        process.stdout.write(JSON.stringify(report) + '\n');
        return;
      }
      const depths = report.rows[0]?.cascade.map((c) => c.layers) ?? [];
      process.stdout.write(
        `Spearman ρ between the map of the intact model (class ${report.target.label} [${report.target.index}]) and the map after each change; ` +
          `${report.queries} queries per map. Randomised from the top of ${report.layers} layers down; compared maps use another seed. Well below the repeat is good.\n`,
      );
      process.stdout.write(`method      gradient  | repeat | random class | ${depths.map((d) => `top ${d}`.padStart(7)).join(' ')} | verdict\n`);
      for (const r of report.rows) {
        const cells = r.cascade.map((c) => c.spearman.toFixed(2).padStart(7)).join(' ');
        process.stdout.write(
          `${r.method.padEnd(11)} ${r.gradient.padEnd(9)} | ${r.repeat.toFixed(2).padStart(6)} | ${r.randomLogit.toFixed(2).padStart(12)} | ${cells} | ${r.verdict === 'ok' ? 'ok' : `${r.verdict.toUpperCase()}: ${r.reasons.join('; ')}`}\n`,
        );
      }
      process.stdout.write(
        `repeat: the same map with another seed (how alike the map is to itself); random class: ${report.randomTarget.label} [${report.randomTarget.index}]; ` +
          `flagged when ρ after randomising every layer, or for the random class, is ≥ ${report.threshold} × the repeat's ρ\n`,
      );
    } finally {
      bar.stop();
      await classifier.dispose();
    }
  });
}
