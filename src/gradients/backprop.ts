/**
 * The true gradient as a GradientSource, for comparison with the black-box estimators: the same model
 * file, differentiated exactly (src/backprop). Spends no black-box queries.
 */
import type { BackpropObjective, DifferentiableModel } from '../models/differentiable.js';
import type { GradientSource } from './gradient-source.js';

export function backpropSource(model: DifferentiableModel, target: number, objective: BackpropObjective): GradientSource {
  return {
    name: 'backprop',
    minQueries: 0,
    async estimate({ x }) {
      const { gradient } = await model.gradient(x, target, objective);
      return { gradient, queries: 0 };
    },
  };
}
