/** Gradient sources by name, with their options in one place (the CLI and evaluations build them here). */
import { invalidArgument } from '../core/errors.js';
import type { Shape } from '../core/tensor.js';
import { blockwise, BLOCKWISE_DEFAULTS } from './blockwise.js';
import type { NoiseShape } from './noise-shapes.js';
import type { RandomDirectionSource } from './random-directions.js';
import { likelihoodRatio } from './likelihood-ratio.js';

export const BLACK_BOX_GRADIENTS = ['lr', 'blockwise'] as const;
export type BlackBoxGradientName = (typeof BLACK_BOX_GRADIENTS)[number];

/**
 * Noise shape used by explain, eval and fidelity when none is given, chosen by measurement (docs/results.md).
 * Channel-shared noise: ~80 % of SqueezeNet's gradient energy lies in the channel-shared subspace, which has
 * a third of the dimensions, so the cosine to the full gradient beats the isotropic bound by ~1.4× at equal
 * queries. It estimates the channel-mean gradient (noise-shapes.ts), a biased estimate of the full one.
 */
export const GRADIENT_DEFAULTS: Record<BlackBoxGradientName, { noise: NoiseShape; tile: number }> = {
  lr: { noise: 'channel-shared', tile: 1 },
  blockwise: { noise: 'channel-shared', tile: 1 },
};

export interface GradientSettings {
  sigma: number;
  antithetic?: boolean;
  baseline?: boolean;
  batchSize?: number;
  /** Blockwise only: relative block side. */
  block?: number;
  /** Noise shape and tile side (see noise-shapes.ts); default GRADIENT_DEFAULTS. */
  noise?: NoiseShape;
  tile?: number;
}

export function createGradientSource(name: string, shape: Shape, settings: GradientSettings): RandomDirectionSource {
  const common = {
    sigma: settings.sigma,
    ...(settings.antithetic !== undefined ? { antithetic: settings.antithetic } : {}),
    ...(settings.baseline !== undefined ? { baseline: settings.baseline } : {}),
    ...(settings.batchSize !== undefined ? { batchSize: settings.batchSize } : {}),
  };
  const defaults = GRADIENT_DEFAULTS[name as BlackBoxGradientName] ?? GRADIENT_DEFAULTS.lr;
  const shapeSettings = { noise: settings.noise ?? defaults.noise, tile: settings.tile ?? defaults.tile };
  if (name === 'lr') return likelihoodRatio(shape, { ...common, ...shapeSettings });
  if (name === 'blockwise') return blockwise(shape, { ...common, ...shapeSettings, block: settings.block ?? BLOCKWISE_DEFAULTS.block });
  throw invalidArgument(`unknown gradient source "${name}"; choose one of: ${BLACK_BOX_GRADIENTS.join(', ')}`);
}
