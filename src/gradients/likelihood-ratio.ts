/**
 * Likelihood-ratio (Gaussian) gradient estimator, Eq. 2 of arXiv 2403.15603:
 * ∇f(x) ≈ (1/n) Σ f(x + z_i) z_i / σ², z_i ~ N(0, σ² I), with optional baseline subtraction and
 * antithetic pairs (see random-directions.ts), and optionally structured noise (noise-shapes.ts: then it
 * estimates the gradient's projection onto the noise subspace). Only forward queries.
 */
import { sizeOf, type Shape } from '../core/tensor.js';
import { estimateAlongPath, pathMinimumQueries } from './path-integral.js';
import { estimateAlongRandomDirections, minimumQueries, validateSettings, type RandomDirectionSource, type DirectionSettings } from './random-directions.js';
import { fullRegion } from './regions.js';

export type LikelihoodRatioOptions = Partial<DirectionSettings>;

/**
 * Defaults of the primitive; σ is in model-input units (the CLI scales it to the model's pixel step).
 * Noise is iid here, so that likelihoodRatio() stays unbiased for the full gradient (Integrated Gradients'
 * completeness needs that); explain/eval/fidelity take the measured product defaults, GRADIENT_DEFAULTS in
 * registry.ts. Antithetic pairs lose at small σ (docs/results.md).
 */
export const LR_DEFAULTS: DirectionSettings = { sigma: 0.05, antithetic: false, baseline: true, batchSize: 8, noise: 'iid', tile: 1 };

export function likelihoodRatio(shape: Shape, options: LikelihoodRatioOptions = {}): RandomDirectionSource {
  const settings = { ...LR_DEFAULTS, ...options };
  validateSettings(settings);
  const region = fullRegion(shape);
  const sampler = { next: () => region, coverage: 1, maxSize: sizeOf(shape) };
  return {
    name: 'lr',
    settings,
    minQueries: minimumQueries(settings),
    estimate: (request, control) => estimateAlongRandomDirections(request, sampler, settings, control),
    estimatePath: (request) => estimateAlongPath(request, sampler, settings),
    pathMinQueries: (anchors) => pathMinimumQueries(settings, anchors),
  };
}
