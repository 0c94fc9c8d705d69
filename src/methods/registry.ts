/** Saliency methods by name. */
import { invalidArgument } from '../core/errors.js';
import type { GradientSource } from '../gradients/gradient-source.js';
import type { AttributionMethod } from './attribution.js';
import { integratedGradients, type IgPath } from './integrated-gradients.js';
import { noiseTunnel } from './noise-tunnel.js';
import { rise } from './rise.js';
import { vanillaGradient } from './vanilla.js';

export const METHODS = ['vanilla', 'smoothgrad', 'vargrad', 'ig', 'rise'] as const;
export type MethodName = (typeof METHODS)[number];

export interface MethodSettings {
  /** SmoothGrad/VarGrad copies. */
  samples?: number;
  /** SmoothGrad/VarGrad noise as a fraction of the input range. */
  noiseLevel?: number;
  /** IG steps. */
  steps?: number;
  /** IG path estimate ('steps' or 'sampled'). */
  path?: IgPath;
  /** IG baseline / RISE fill (model-input space). */
  baseline?: Float32Array;
  /** RISE grid cells per side and keep probability. */
  cells?: number;
  keep?: number;
  batchSize?: number;
}

export function isMethodName(name: string): name is MethodName {
  return (METHODS as readonly string[]).includes(name);
}

/** `source` is ignored by RISE, which needs no gradient. */
export function createMethod(name: string, source: GradientSource, s: MethodSettings = {}): AttributionMethod {
  // Only undefined means "default": 0 or NaN must reach the methods' own checks, not silently become defaults.
  const tunnel = { ...(s.samples !== undefined ? { samples: s.samples } : {}), ...(s.noiseLevel !== undefined ? { noiseLevel: s.noiseLevel } : {}) };
  switch (name) {
    case 'vanilla':
      return vanillaGradient(source);
    case 'smoothgrad':
    case 'vargrad':
      return noiseTunnel(source, name, tunnel);
    case 'ig':
      return integratedGradients(source, { ...(s.steps !== undefined ? { steps: s.steps } : {}), ...(s.path !== undefined ? { path: s.path } : {}), ...(s.baseline ? { baseline: s.baseline } : {}) });
    case 'rise':
      return rise({
        ...(s.cells !== undefined ? { cells: s.cells } : {}),
        ...(s.keep !== undefined ? { keep: s.keep } : {}),
        ...(s.baseline ? { fill: s.baseline } : {}),
        ...(s.batchSize !== undefined ? { batchSize: s.batchSize } : {}),
      });
    default:
      throw invalidArgument(`unknown method "${name}"; choose one of: ${METHODS.join(', ')}`);
  }
}
