/** Gradient sources by name, with their options in one place (the CLI and evaluations build them here). */
import { invalidArgument } from '../core/errors.js';
import { pick } from '../core/options.js';
import type { Shape } from '../core/tensor.js';
import { blockwise, BLOCKWISE_DEFAULTS } from './blockwise.js';
import type { CellRanking } from './focus-sharing.js';
import { focused, FOCUSED_DEFAULTS } from './focused.js';
import type { NoiseShape } from './noise-shapes.js';
import type { RandomDirectionSource } from './random-directions.js';
import { likelihoodRatio } from './likelihood-ratio.js';

export const BLACK_BOX_GRADIENTS = ['lr', 'blockwise', 'focused'] as const;
export type BlackBoxGradientName = (typeof BLACK_BOX_GRADIENTS)[number];

/**
 * Noise shape used by explain, eval and fidelity when none is given, chosen by measurement (docs/results.md).
 * lr: channel-shared noise on 2×2 tiles. About 80 % of SqueezeNet's gradient norm lies in the channel-shared
 * subspace and ~40 % in its 2×2-tile subspace (m = d/12), so at n ≤ 2,000 the cosine to the full gradient
 * beats the isotropic bound by ~1.4× (measured 11.2 % vs 8.1 % at n = 1,000) and the map's rank correlation
 * triples. It estimates the gradient's mean over each group (noise-shapes.ts): biased for the full gradient.
 * blockwise: iid. Blockwise is about the map, and with channel-shared noise its map got worse (rank
 * correlation 0.30 vs 0.42, deletion/insertion worse) although its cosine rose (8.9 % vs 6.6 %).
 * focused: channel-shared, per pixel (focused.ts; tiles do not apply).
 */
export const GRADIENT_DEFAULTS: Record<BlackBoxGradientName, { noise: NoiseShape; tile: number }> = {
  lr: { noise: 'channel-shared', tile: 2 },
  blockwise: { noise: 'iid', tile: 1 },
  focused: { noise: FOCUSED_DEFAULTS.noise, tile: 1 },
};

export interface GradientSettings {
  sigma: number;
  antithetic?: boolean;
  baseline?: boolean;
  batchSize?: number;
  /** Blockwise only: relative block side. */
  block?: number;
  /** Noise shape and tile side (see noise-shapes.ts); default GRADIENT_DEFAULTS (tile 1 when only noise is given). */
  noise?: NoiseShape;
  tile?: number;
  /** Focused only: cells per image side and the survey's share of the budget (focused.ts). */
  grid?: number;
  survey?: number;
  /** Focused only, top-k: the cell ranking shared with the first class (focus-sharing.ts). */
  ranking?: CellRanking;
}

export function createGradientSource(name: string, shape: Shape, settings: GradientSettings): RandomDirectionSource {
  const common = { sigma: settings.sigma, ...pick(settings, ['antithetic', 'baseline', 'batchSize']) };
  const defaults = GRADIENT_DEFAULTS[name as BlackBoxGradientName] ?? GRADIENT_DEFAULTS.lr;
  // An explicit noise shape without a tile means per-pixel noise, not the default's tiles.
  const shapeSettings = { noise: settings.noise ?? defaults.noise, tile: settings.tile ?? (settings.noise !== undefined ? 1 : defaults.tile) };
  if (name === 'lr') return likelihoodRatio(shape, { ...common, ...shapeSettings });
  if (name === 'blockwise') return blockwise(shape, { ...common, ...shapeSettings, block: settings.block ?? BLOCKWISE_DEFAULTS.block });
  if (name === 'focused') {
    if (shapeSettings.tile !== 1) throw invalidArgument(`the focused gradient takes no tiles, got tile ${shapeSettings.tile}`);
    if (settings.antithetic) throw invalidArgument('the focused gradient takes no antithetic pairs');
    return focused(shape, { sigma: settings.sigma, noise: shapeSettings.noise, ...pick(settings, ['batchSize', 'grid', 'survey', 'ranking']) });
  }
  throw invalidArgument(`unknown gradient source "${name}"; choose one of: ${BLACK_BOX_GRADIENTS.join(', ')}`);
}
