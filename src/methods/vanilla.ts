/** Vanilla gradient: the map is ∇f(x) itself, from any gradient source, with the whole budget. */
import type { GradientSource } from '../gradients/gradient-source.js';
import { requireBudget, type AttributionMethod } from './attribution.js';

export function vanillaGradient(source: GradientSource): AttributionMethod {
  return {
    name: 'vanilla',
    minQueries: source.minQueries,
    async attribute({ f, x, queries, rng, valueAtX, signal, chunks, estimate }) {
      requireBudget('vanilla', queries, valueAtX === undefined ? source.minQueries : 1, `one ${source.name} estimate`);
      const { gradient, queries: spent, covariance } = await source.estimate({ f, x, queries, rng, valueAtX, signal, ...(estimate !== undefined ? { estimate } : {}), ...(chunks ? { chunks } : {}) });
      return { values: gradient, shape: f.shape, queries: spent, ...(covariance ? { covariance } : {}) };
    },
  };
}
