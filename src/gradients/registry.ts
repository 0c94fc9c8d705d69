/** Gradient sources by name, with their options in one place (the CLI and evaluations build them here). */
import { invalidArgument } from '../core/errors.js';
import type { Shape } from '../core/tensor.js';
import { blockwise, BLOCKWISE_DEFAULTS } from './blockwise.js';
import type { NoiseShape } from './noise-shapes.js';
import type { RandomDirectionSource } from './random-directions.js';
import { likelihoodRatio } from './likelihood-ratio.js';

export const BLACK_BOX_GRADIENTS = ['lr', 'blockwise'] as const;
export type BlackBoxGradientName = (typeof BLACK_BOX_GRADIENTS)[number];

export interface GradientSettings {
  sigma: number;
  antithetic?: boolean;
  baseline?: boolean;
  batchSize?: number;
  /** Blockwise only: relative block side. */
  block?: number;
  /** Noise shape and tile side (see noise-shapes.ts); defaults in LR_DEFAULTS. */
  noise?: NoiseShape;
  tile?: number;
}

export function createGradientSource(name: string, shape: Shape, settings: GradientSettings): RandomDirectionSource {
  const common = {
    sigma: settings.sigma,
    ...(settings.antithetic !== undefined ? { antithetic: settings.antithetic } : {}),
    ...(settings.baseline !== undefined ? { baseline: settings.baseline } : {}),
    ...(settings.batchSize !== undefined ? { batchSize: settings.batchSize } : {}),
    ...(settings.noise !== undefined ? { noise: settings.noise } : {}),
    ...(settings.tile !== undefined ? { tile: settings.tile } : {}),
  };
  if (name === 'lr') return likelihoodRatio(shape, common);
  if (name === 'blockwise') return blockwise(shape, { ...common, block: settings.block ?? BLOCKWISE_DEFAULTS.block });
  throw invalidArgument(`unknown gradient source "${name}"; choose one of: ${BLACK_BOX_GRADIENTS.join(', ')}`);
}
