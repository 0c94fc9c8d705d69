/**
 * Fidelity of the black-box estimators (the paper's Tables 4–5): cosine between each estimate and the
 * backprop gradient of the same model, and rank correlation of the channel-reduced maps, averaged
 * over images, as the number of queries, σ and the block size vary.
 */
import type { DifferentiableModel } from '../backprop/index.js';
import { metered, QueryLedger } from '../core/ledger.js';
import { Rng } from '../core/rng.js';
import { cosine, sizeOf } from '../core/tensor.js';
import { createGradientSource, type BlackBoxGradientName } from '../gradients/registry.js';
import { reduceChannels } from '../methods/channel-reduction.js';
import type { Classifier } from '../models/classifier.js';
import { scoreFunction, topK, type ScoreObjective } from '../objectives/scores.js';
import { isotropicBound, spearman } from '../metrics/similarity.js';
import { meanStd, type ManifestEntry } from './manifest.js';

export interface FidelityConfig {
  gradients: BlackBoxGradientName[];
  queries: number[];
  blocks: number[];
  sigmas: number[];
  objective: ScoreObjective;
  antithetic?: boolean;
  seed: number;
}

export interface FidelityRow {
  gradient: BlackBoxGradientName;
  queries: number;
  block: number | null;
  sigma: number;
  cosine: { mean: number; std: number };
  rankCorrelation: { mean: number; std: number };
  /** √(n/(n+d)): what isotropic random directions can reach. */
  isotropicBound: number;
}

export async function measureFidelity(
  classifier: Classifier,
  differentiable: DifferentiableModel,
  images: ManifestEntry[],
  config: FidelityConfig,
  onStep?: (done: number, total: number) => void,
): Promise<FidelityRow[]> {
  const shape = classifier.model.inputShape;
  const d = sizeOf(shape);
  const settings = config.gradients.flatMap((gradient) =>
    config.sigmas.flatMap((sigma) => (gradient === 'blockwise' ? config.blocks : [null]).flatMap((block) => config.queries.map((queries) => ({ gradient, sigma, block, queries })))),
  );
  const samples = settings.map(() => ({ cos: [] as number[], rank: [] as number[] }));
  const total = images.length * settings.length;
  let done = 0;
  for (const image of images) {
    const { input: x } = await classifier.prepare(image.path);
    const target = topK(await classifier.model.scores(x, 1), 1)[0]!;
    const truth = await differentiable.gradient(x, target, config.objective);
    const truthMap = reduceChannels(truth.gradient, shape, 'abs-sum');
    for (const [i, s] of settings.entries()) {
      const source = createGradientSource(s.gradient, shape, { sigma: s.sigma, ...(s.block ? { block: s.block } : {}), ...(config.antithetic ? { antithetic: true } : {}) });
      const f = metered(scoreFunction(classifier.model, config.objective, target), new QueryLedger(s.queries));
      const { gradient } = await source.estimate({ f, x, queries: s.queries, rng: new Rng(config.seed + done) });
      samples[i]!.cos.push(cosine(gradient, truth.gradient));
      samples[i]!.rank.push(spearman(reduceChannels(gradient, shape, 'abs-sum'), truthMap));
      onStep?.(++done, total);
    }
  }
  return settings.map((s, i) => ({
    gradient: s.gradient,
    queries: s.queries,
    block: s.block,
    sigma: s.sigma,
    cosine: meanStd(samples[i]!.cos),
    rankCorrelation: meanStd(samples[i]!.rank),
    isotropicBound: isotropicBound(s.queries, d),
  }));
}
