/**
 * IG as an expectation over several baselines (expected-gradients style, issue 17): the map is the mean of one
 * IG map per baseline, E_b[(x − b) ⊙ ∫∇f(b + α(x − b))dα], and the budget is split evenly over the baselines
 * (splitBudget). Completeness holds per baseline, so Σ map = f(x) − mean_b f(b) in expectation.
 * Each baseline's map gets its own estimate index, so its random streams differ from the others'.
 */
import { invalidArgument } from '../core/errors.js';
import { splitBudget } from '../core/ledger.js';
import { requireBudget, type AttributionMethod } from './attribution.js';

export function expectedOverBaselines(perBaseline: readonly AttributionMethod[]): AttributionMethod {
  if (perBaseline.length === 0) throw invalidArgument('an expectation over baselines needs at least one baseline');
  if (perBaseline.length === 1) return perBaseline[0]!;
  const k = perBaseline.length;
  // Every share must fit the hungriest baseline's method: splitBudget's shares differ by at most one.
  const minQueries = k * Math.max(...perBaseline.map((m) => m.minQueries));
  return {
    name: perBaseline[0]!.name,
    minQueries,
    async attribute(request) {
      requireBudget(`${perBaseline[0]!.name} over ${k} baselines`, request.queries, minQueries, `${k} baselines × ${minQueries / k} queries`);
      const shares = splitBudget(request.queries, k);
      let sum: Float64Array | undefined;
      let shape = request.f.shape;
      let spent = 0;
      for (const [i, method] of perBaseline.entries()) {
        const one = await method.attribute({ ...request, queries: shares[i]!, estimate: (request.estimate ?? 0) * k + i });
        sum ??= new Float64Array(one.values.length);
        for (let j = 0; j < sum.length; j++) sum[j]! += one.values[j]!;
        shape = one.shape;
        spent += one.queries;
      }
      return { values: Float32Array.from(sum!, (v) => v / k), shape, queries: spent };
    },
  };
}
