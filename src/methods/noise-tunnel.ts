/**
 * SmoothGrad and VarGrad as one wrapper over a gradient source (as Captum's NoiseTunnel): estimate the
 * gradient at m noisy copies x + ε_i, ε_i ~ N(0, (level·(max x − min x))²), and report their mean
 * (SmoothGrad) or their per-element variance (VarGrad). The budget is split evenly across copies;
 * mean and variance stream through Welford's update, so memory does not grow with m.
 */
import { requireInteger } from '../core/errors.js';
import { splitBudget } from '../core/ledger.js';
import type { GradientSource } from '../gradients/gradient-source.js';
import { requireBudget, type AttributionMethod } from './attribution.js';

export interface NoiseTunnelOptions {
  /** Noisy copies m (default 10). */
  samples?: number;
  /** Noise std as a fraction of the input's value range (default 0.15, the SmoothGrad paper's 10–20 %). */
  noiseLevel?: number;
}

export const NOISE_TUNNEL_DEFAULTS = { samples: 10, noiseLevel: 0.15 };

export type Aggregate = 'smoothgrad' | 'vargrad';

export function noiseTunnel(source: GradientSource, aggregate: Aggregate, options: NoiseTunnelOptions = {}): AttributionMethod {
  const { samples, noiseLevel } = { ...NOISE_TUNNEL_DEFAULTS, ...options };
  requireInteger('samples', samples, aggregate === 'vargrad' ? 2 : 1);
  return {
    name: aggregate,
    minQueries: samples * source.minQueries,
    async attribute({ f, x, queries, rng, signal, chunks }) {
      requireBudget(aggregate, queries, samples * source.minQueries, `${samples} copies × ${source.minQueries} queries per ${source.name} estimate`);
      let min = Infinity;
      let max = -Infinity;
      for (const v of x) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
      const sigma = noiseLevel * (max - min || 1);
      const mean = new Float64Array(x.length);
      const m2 = new Float64Array(x.length);
      const noisy = new Float32Array(x.length);
      let spent = 0;
      const shares = splitBudget(queries, samples);
      for (let i = 0; i < samples; i++) {
        rng.fillNormal(noisy, 0, noisy.length, sigma);
        for (let j = 0; j < x.length; j++) noisy[j]! += x[j]!;
        const { gradient, queries: used } = await source.estimate({ f, x: noisy, queries: shares[i]!, rng, signal, estimate: i, ...(chunks ? { chunks } : {}) });
        spent += used;
        const n = i + 1;
        for (let j = 0; j < x.length; j++) {
          const g = gradient[j]!;
          const delta = g - mean[j]!;
          mean[j]! += delta / n;
          m2[j]! += delta * (g - mean[j]!);
        }
      }
      const values = new Float32Array(x.length);
      if (aggregate === 'smoothgrad') values.set(mean);
      else for (let j = 0; j < x.length; j++) values[j] = m2[j]! / samples;
      return { values, shape: f.shape, queries: spent };
    },
  };
}
