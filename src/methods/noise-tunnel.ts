/**
 * SmoothGrad and VarGrad as one wrapper over any attribution method (as Captum's NoiseTunnel): run the inner
 * method at m noisy copies x + ε_i, ε_i ~ N(0, (level·(max x − min x))²), and report the mean (SmoothGrad)
 * or the per-element variance (VarGrad) of its attributions. Given a gradient source, the inner method is the
 * vanilla gradient (the classic SmoothGrad); given IG, it is SmoothGrad over IG. The budget is split evenly
 * across copies; mean and variance stream through Welford's update, so memory does not grow with m.
 */
import { requireInteger, requirePositive } from '../core/errors.js';
import { splitBudget } from '../core/ledger.js';
import type { GradientSource } from '../gradients/gradient-source.js';
import { covarianceOfMeanOfIndependent, type ChannelCovariance } from '../gradients/standard-error.js';
import { requireBudget, type AttributionMethod } from './attribution.js';
import { vanillaGradient } from './vanilla.js';

export interface NoiseTunnelOptions {
  /** Noisy copies m (default 10). */
  samples?: number;
  /** Noise std as a fraction of the input's value range (default 0.15, the SmoothGrad paper's 10–20 %). */
  noiseLevel?: number;
}

export const NOISE_TUNNEL_DEFAULTS = { samples: 10, noiseLevel: 0.15 };

export type Aggregate = 'smoothgrad' | 'vargrad';

function isGradientSource(inner: GradientSource | AttributionMethod): inner is GradientSource {
  return 'estimate' in inner;
}

export function noiseTunnel(inner: GradientSource | AttributionMethod, aggregate: Aggregate, options: NoiseTunnelOptions = {}): AttributionMethod {
  const { samples, noiseLevel } = { ...NOISE_TUNNEL_DEFAULTS, ...options };
  requireInteger('samples', samples, aggregate === 'vargrad' ? 2 : 1);
  requirePositive('noise level', noiseLevel);
  const method = isGradientSource(inner) ? vanillaGradient(inner) : inner;
  const name = isGradientSource(inner) || method.name === 'vanilla' ? aggregate : `${aggregate}(${method.name})`;
  return {
    name,
    minQueries: samples * method.minQueries,
    async attribute({ f, x, queries, rng, signal, chunks }) {
      requireBudget(name, queries, samples * method.minQueries, `${samples} copies × ${method.minQueries} queries per ${method.name} map`);
      let min = Infinity;
      let max = -Infinity;
      for (const v of x) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
      const sigma = noiseLevel * (max - min || 1);
      let outShape = f.shape;
      let mean = new Float64Array(0);
      let m2 = new Float64Array(0);
      const noisy = new Float32Array(x.length);
      let spent = 0;
      const shares = splitBudget(queries, samples);
      const covariances: Array<ChannelCovariance | undefined> = [];
      for (let i = 0; i < samples; i++) {
        rng.fillNormal(noisy, 0, noisy.length, sigma);
        for (let j = 0; j < x.length; j++) noisy[j]! += x[j]!;
        const { values: gradient, shape, queries: used, covariance } = await method.attribute({ f, x: noisy, queries: shares[i]!, rng, estimate: i, ...(signal ? { signal } : {}), ...(chunks ? { chunks } : {}) });
        spent += used;
        covariances.push(covariance);
        if (i === 0) {
          outShape = shape;
          mean = new Float64Array(gradient.length);
          m2 = new Float64Array(gradient.length);
        }
        const n = i + 1;
        for (let j = 0; j < gradient.length; j++) {
          const g = gradient[j]!;
          const delta = g - mean[j]!;
          mean[j]! += delta / n;
          m2[j]! += delta * (g - mean[j]!);
        }
      }
      const values = new Float32Array(mean.length);
      if (aggregate === 'smoothgrad') values.set(mean);
      else for (let j = 0; j < mean.length; j++) values[j] = m2[j]! / samples;
      // SmoothGrad: the mean of independent estimates, so its query error is Σ Cov_i / m² (given the noisy copies
      // drawn: the copies' own spread is SmoothGrad's definition, not an estimation error). VarGrad: none.
      const covariance = aggregate === 'smoothgrad' ? covarianceOfMeanOfIndependent(covariances) : undefined;
      return { values, shape: outShape, queries: spent, ...(covariance ? { covariance } : {}) };
    },
  };
}
