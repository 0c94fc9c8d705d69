/**
 * Fidelity of the black-box estimators (the paper's Tables 4–5): cosine between each estimate and the
 * backprop gradient of the same model, and rank correlation of the channel-reduced maps, averaged
 * over images, as the number of queries, σ, the block size, the noise shape, antithetic pairs and a
 * surrogate prior vary. Beside each row: the isotropic bound √(n/(n+d)) and, for structured noise, the
 * shape's own ceiling |P∇f|/|∇f| · √(n/(n+m)) (m = the noise subspace's dimension).
 */
import type { BackpropObjective, DifferentiableModel } from '../models/differentiable-onnx.js';
import { metered, QueryLedger } from '../core/ledger.js';
import { Rng } from '../core/rng.js';
import { cosine, sizeOf } from '../core/tensor.js';
import type { GradientSource } from '../gradients/gradient-source.js';
import { noiseLayout, projectOntoNoise, type NoiseShape } from '../gradients/noise-shapes.js';
import { FOCUSED_DEFAULTS } from '../gradients/focused.js';
import { priorGuided } from '../gradients/prior-guided.js';
import { surrogatePrior } from '../models/surrogate-prior.js';
import { createGradientSource, type BlackBoxGradientName } from '../gradients/registry.js';
import { reduceChannels } from '../methods/channel-reduction.js';
import type { Classifier } from '../models/classifier.js';
import type { Preprocessing } from '../models/preprocess.js';
import { scoreFunction, topK, type ScoreObjective } from '../objectives/scores.js';
import { isotropicBound, spearman } from '../metrics/similarity.js';
import { meanStd, type ManifestEntry } from './manifest.js';

export interface FidelityConfig {
  gradients: BlackBoxGradientName[];
  queries: number[];
  blocks: number[];
  sigmas: number[];
  objective: ScoreObjective;
  /** Noise shapes and tile sides to cross (default: GRADIENT_DEFAULTS of each gradient). */
  noises?: NoiseShape[];
  tiles?: number[];
  /** Focused only: grid sides and survey shares to cross (default FOCUSED_DEFAULTS). */
  grids?: number[];
  surveys?: number[];
  /** Antithetic settings to cross (default [false]). */
  antithetic?: boolean[];
  /** A white-box surrogate whose gradient guides the estimate (rows with and without it). */
  surrogate?: { model: DifferentiableModel; preprocessing: Preprocessing };
  seed: number;
}

export interface FidelityRow {
  gradient: BlackBoxGradientName;
  queries: number;
  block: number | null;
  /** Focused only: grid side and survey share. */
  grid: number | null;
  survey: number | null;
  sigma: number;
  noise: NoiseShape;
  tile: number;
  antithetic: boolean;
  prior: boolean;
  cosine: { mean: number; std: number };
  rankCorrelation: { mean: number; std: number };
  /** √(n/(n+d)): what isotropic random directions can reach. */
  isotropicBound: number;
  /** |P∇f|/|∇f| · √(n/(n+m)): what this noise shape can reach (= isotropicBound for iid noise). */
  shapeBound: number;
  /** |P∇f|/|∇f|: the cosine this noise shape reaches with unlimited queries. */
  projection: number;
  /** Cosine of the surrogate's gradient to the true one (prior rows only). */
  priorCosine: number | null;
  /** Mean wall time of one estimate. */
  seconds: number;
}

interface Setting {
  gradient: BlackBoxGradientName;
  sigma: number;
  block: number | null;
  grid: number | null;
  survey: number | null;
  queries: number;
  noise: NoiseShape | undefined;
  tile: number | undefined;
  antithetic: boolean;
  prior: boolean;
}

function settingsOf(config: FidelityConfig): Setting[] {
  const out: Setting[] = [];
  for (const gradient of config.gradients)
    for (const sigma of config.sigmas)
      for (const noise of config.noises ?? [undefined])
        for (const tile of config.tiles ?? [undefined])
          for (const antithetic of config.antithetic ?? [false])
            for (const prior of config.surrogate ? [false, true] : [false])
              for (const block of gradient === 'blockwise' ? config.blocks : [null])
                for (const grid of gradient === 'focused' ? (config.grids ?? [FOCUSED_DEFAULTS.grid]) : [null])
                  for (const survey of gradient === 'focused' ? (config.surveys ?? [FOCUSED_DEFAULTS.survey]) : [null])
                    for (const queries of config.queries) out.push({ gradient, sigma, block, grid, survey, queries, noise, tile, antithetic, prior });
  return out;
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
  const settings = settingsOf(config);
  const samples = settings.map(() => ({ cos: [] as number[], rank: [] as number[], projection: [] as number[], shapeBound: [] as number[], prior: [] as number[], seconds: 0 }));
  const total = images.length * settings.length;
  const objective = config.objective as BackpropObjective;
  let done = 0;
  for (const image of images) {
    const { input: x } = await classifier.prepare(image.path);
    const target = topK(await classifier.model.scores(x, 1), 1)[0]!;
    const truth = await differentiable.gradient(x, target, objective);
    const truthMap = reduceChannels(truth.gradient, shape, 'abs-sum');
    const projections = new Map<string, number>();
    const projectionOf = (noise: NoiseShape, tile: number) => {
      const key = `${noise}/${tile}`;
      if (!projections.has(key)) projections.set(key, cosine(projectOntoNoise(truth.gradient, shape, noise, tile), truth.gradient));
      return projections.get(key)!;
    };
    const prior = config.surrogate ? surrogatePrior(config.surrogate.model, config.surrogate.preprocessing, classifier.preprocessing, target, objective) : undefined;
    const priorCosine = prior ? cosine(await prior(x), truth.gradient) : NaN;
    for (const [i, s] of settings.entries()) {
      const inner = createGradientSource(s.gradient, shape, {
        sigma: s.sigma,
        antithetic: s.antithetic,
        ...(s.noise ? { noise: s.noise } : {}),
        ...(s.tile ? { tile: s.tile } : {}),
        ...(s.block ? { block: s.block } : {}),
        ...(s.grid ? { grid: s.grid } : {}),
        ...(s.survey ? { survey: s.survey } : {}),
      });
      const { noise, tile } = inner.settings;
      const source: GradientSource = s.prior && prior ? priorGuided(inner, shape, prior) : inner;
      const f = metered(scoreFunction(classifier.model, config.objective, target), new QueryLedger(s.queries));
      const started = performance.now();
      const { gradient } = await source.estimate({ f, x, queries: s.queries, rng: new Rng(config.seed + done) });
      const sample = samples[i]!;
      sample.seconds += (performance.now() - started) / 1000;
      sample.cos.push(cosine(gradient, truth.gradient));
      sample.rank.push(spearman(reduceChannels(gradient, shape, 'abs-sum'), truthMap));
      const projection = projectionOf(noise, tile);
      sample.projection.push(projection);
      sample.shapeBound.push(projection * isotropicBound(s.queries, noiseLayout(shape, noise, tile).dimension));
      if (s.prior) sample.prior.push(priorCosine);
      onStep?.(++done, total);
    }
  }
  return settings.map((s, i) => {
    const sample = samples[i]!;
    const actual = createGradientSource(s.gradient, shape, { sigma: s.sigma, ...(s.noise ? { noise: s.noise } : {}), ...(s.tile ? { tile: s.tile } : {}) }).settings;
    return {
      ...s,
      noise: actual.noise,
      tile: actual.tile,
      cosine: meanStd(sample.cos),
      rankCorrelation: meanStd(sample.rank),
      isotropicBound: isotropicBound(s.queries, d),
      shapeBound: meanStd(sample.shapeBound).mean,
      projection: meanStd(sample.projection).mean,
      priorCosine: s.prior ? meanStd(sample.prior).mean : null,
      seconds: sample.seconds / images.length,
    };
  });
}
