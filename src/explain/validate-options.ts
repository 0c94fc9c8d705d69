/**
 * Every explain option checked before the first (possibly paid) query: a setting that cannot work must fail
 * here, in one line naming the option, never after the prediction query was bought. Pure: no I/O, no model.
 *
 * Values given as 0 or NaN are errors, not "use the default" (only `undefined` means default).
 */
import { invalidArgument, LrsalError } from '../core/errors.js';
import type { Shape } from '../core/tensor.js';
import type { GradientSource } from '../gradients/gradient-source.js';
import { BLACK_BOX_GRADIENTS, createGradientSource, type BlackBoxGradientName } from '../gradients/registry.js';
import { NOISE_SHAPES } from '../gradients/noise-shapes.js';
import { CHANNEL_REDUCTIONS } from '../methods/channel-reduction.js';
import { IG_DEFAULTS, IG_PATHS } from '../methods/integrated-gradients.js';
import { baselineCount, parseIgBaseline } from '../methods/ig-baseline-spec.js';
import { NOISE_TUNNEL_DEFAULTS } from '../methods/noise-tunnel.js';
import { METHODS, type MethodName } from '../methods/registry.js';
import { REMOTE_OBJECTIVES } from '../objectives/remote.js';
import { SCORE_OBJECTIVES } from '../objectives/scores.js';

/** The options validated here (a superset of what explain() and explainRemote() read). */
export interface ExplainOptionValues {
  method?: unknown;
  gradient?: unknown;
  tunnel?: unknown;
  queries?: unknown;
  seed?: unknown;
  objective?: unknown;
  target?: unknown;
  sigma?: unknown;
  block?: unknown;
  noise?: unknown;
  tile?: unknown;
  grid?: unknown;
  survey?: unknown;
  antithetic?: unknown;
  baseline?: unknown;
  batchSize?: unknown;
  steps?: unknown;
  igPath?: unknown;
  samples?: unknown;
  noiseLevel?: unknown;
  igBaseline?: unknown;
  cells?: unknown;
  keep?: unknown;
  reduction?: unknown;
  size?: unknown;
}

/** Largest σ accepted (model-input units, or grey levels for remote models): beyond it the input is noise alone. */
export const MAX_SIGMA = 1e4;
/** Seeds are integers 0 … 2³²−1: the Rng folds other values onto these, so two "different" seeds could give one map. */
export const MAX_SEED = 2 ** 32 - 1;

/** Defaults the budget check assumes when an option is not given (as explain() does). */
const DEFAULTS = { method: 'ig', gradient: 'blockwise', queries: 1000 } as const;

/**
 * Throws INVALID_ARGUMENT naming the first bad option. `kind` picks the objectives allowed: score models
 * (logit, probability, logProbability) or remote black boxes (label, prompt, semantic). `shape`, the model
 * input when known, lets shape-bound settings (the focused grid) be checked too.
 */
export function validateExplainOptions(options: ExplainOptionValues, kind: 'scores' | 'remote' | 'function' = 'scores', shape?: Shape): void {
  const o = options;
  // A method or gradient may be an instance (the user's own): then only its budget rules are known, not its name.
  const methodInstance = isObject(o.method) && 'attribute' in o.method ? (o.method as unknown as { minQueries: number; name: string }) : undefined;
  const sourceInstance = isObject(o.gradient) && 'estimate' in o.gradient ? (o.gradient as GradientSource) : undefined;
  const method = methodInstance ? 'custom' : oneOf('method', o.method, METHODS) ?? DEFAULTS.method;
  const gradients = kind === 'scores' ? ([...BLACK_BOX_GRADIENTS, 'backprop'] as const) : BLACK_BOX_GRADIENTS;
  const gradient = sourceInstance ? sourceInstance.name : oneOf('gradient', o.gradient, gradients) ?? DEFAULTS.gradient;
  const tunnel = oneOf('tunnel', o.tunnel, ['smoothgrad', 'vargrad'] as const);
  if (kind === 'function' && o.objective !== undefined) throw invalidArgument(`objective does not apply to a function (it is f itself), got ${show(o.objective)}`);
  if (kind !== 'function') oneOf('objective', o.objective, kind === 'remote' ? REMOTE_OBJECTIVES : SCORE_OBJECTIVES);
  oneOf('reduction', o.reduction, CHANNEL_REDUCTIONS);
  oneOf('noise', o.noise, NOISE_SHAPES);
  const queries = integer('queries', o.queries, 2, Number.MAX_SAFE_INTEGER) ?? DEFAULTS.queries;
  integer('seed', o.seed, 0, MAX_SEED);
  const sigma = number('sigma', o.sigma, { min: 0, exclusiveMin: true, max: MAX_SIGMA });
  const block = number('block', o.block, { min: 0, exclusiveMin: true, max: 1 });
  const tile = integer('tile', o.tile, 1, 4096);
  const grid = integer('grid', o.grid, 1, 4096);
  const survey = number('survey', o.survey, { min: 0, exclusiveMin: true, max: 1 });
  const batchSize = integer('batchSize', o.batchSize, 1, 1 << 16);
  const steps = integer('steps', o.steps, 1, 1e6) ?? IG_DEFAULTS.steps;
  const samples = integer('samples', o.samples, method === 'vargrad' || tunnel === 'vargrad' ? 2 : 1, 1e6) ?? NOISE_TUNNEL_DEFAULTS.samples;
  number('noiseLevel', o.noiseLevel, { min: 0, exclusiveMin: true, max: 10 });
  integer('cells', o.cells, 1, 4096);
  number('keep', o.keep, { min: 0, exclusiveMin: true, max: 1, exclusiveMax: true });
  integer('size', o.size, 1, 4096);
  if (o.igPath !== undefined && !(IG_PATHS as readonly unknown[]).includes(o.igPath)) {
    throw invalidArgument(`igPath must be one of ${IG_PATHS.join(', ')}, got ${show(o.igPath)}`);
  }
  bool('antithetic', o.antithetic);
  bool('baseline', o.baseline);
  if (o.igBaseline !== undefined && typeof o.igBaseline !== 'string') throw invalidArgument(`igBaseline must be a string, got ${show(o.igBaseline)}`);
  const igBaseline = o.igBaseline !== undefined ? parseIgBaseline(o.igBaseline) : undefined;
  const baselines = igBaseline && method === 'ig' ? baselineCount(igBaseline) : 1;
  if (typeof o.target === 'string' && o.target.trim() === '') {
    throw new LrsalError('UNKNOWN_TARGET', 'empty target: give a class name, a WordNet id or (semantic) the target answer');
  }
  if (o.target !== undefined && !(typeof o.target === 'number' || (typeof o.target === 'string' && o.target.trim() !== ''))) {
    throw invalidArgument(`target must be a class index, WordNet id or name, got ${show(o.target)}`);
  }
  if (kind === 'scores' && typeof o.target === 'number' && !(Number.isInteger(o.target) && o.target >= 0)) {
    throw invalidArgument(`target must be a class index ≥ 0, got ${o.target}`);
  }

  // What the chosen method needs from the chosen gradient source (the formulas of methods/*.ts).
  const mapQueries = queries - 1; // one query predicts (fixes the target and f(x))
  const copies = tunnel ? samples : 1;
  if (methodInstance) {
    if (mapQueries < copies * methodInstance.minQueries) throw invalidArgument(`${methodInstance.name} needs at least ${copies * methodInstance.minQueries + 1} queries (1 prediction + ${copies * methodInstance.minQueries}), got queries ${queries}`);
    return;
  }
  if (method === 'rise' || gradient === 'backprop') return;
  // Without the model's shape, a small stand-in the grid fits (the source is built only to read its rules).
  const side = Math.max(grid ?? 16, 16);
  const source = sourceInstance ?? createGradientSource(gradient as BlackBoxGradientName, shape ?? { channels: 3, height: side, width: side }, {
    sigma: sigma ?? 1,
    ...(block !== undefined ? { block } : {}),
    ...(o.noise !== undefined ? { noise: o.noise as (typeof NOISE_SHAPES)[number] } : {}),
    ...(tile !== undefined ? { tile } : {}),
    ...(grid !== undefined ? { grid } : {}),
    ...(survey !== undefined ? { survey } : {}),
    ...(o.antithetic !== undefined ? { antithetic: o.antithetic as boolean } : {}),
    ...(o.baseline !== undefined ? { baseline: o.baseline as boolean } : {}),
    ...(batchSize !== undefined ? { batchSize } : {}),
  });
  const perBaseline = minimumMapQueries(method as MethodName, source, { steps, samples, sampledPath: o.igPath === 'sampled' });
  const one = baselines === 1 ? perBaseline : { queries: baselines * perBaseline.queries, why: `${baselines} baselines × (${perBaseline.why})` };
  const need = tunnel ? { queries: samples * one.queries, why: `${samples} copies × (${one.why})` } : one;
  if (mapQueries < need.queries) {
    throw invalidArgument(`${tunnel ? `${tunnel}(${method})` : method} with the ${gradient} gradient needs at least ${need.queries + 1} queries (1 prediction + ${need.why}), got queries ${queries}`);
  }
}

/** Queries a method spends at least, once f(x) is known (mirrors requireBudget in methods/*.ts). */
function minimumMapQueries(method: MethodName, source: Pick<GradientSource, 'minQueries' | 'estimateMean' | 'pathMinQueries' | 'name'>, s: { steps: number; samples: number; sampledPath: boolean }): { queries: number; why: string } {
  switch (method) {
    case 'vanilla':
      return { queries: 1, why: 'one direction' };
    case 'smoothgrad':
    case 'vargrad':
      return { queries: s.samples * source.minQueries, why: `${s.samples} copies × ${source.minQueries} queries per ${source.name} estimate` };
    case 'ig':
      if (s.sampledPath && source.pathMinQueries) return { queries: source.pathMinQueries(s.steps), why: `a sampled-path ${source.name} estimate with ${s.steps} anchors` };
      return source.estimateMean
        ? { queries: s.steps + 1, why: `f at ${s.steps} path points and one direction` }
        : { queries: s.steps * source.minQueries, why: `${s.steps} steps × ${source.minQueries} queries per ${source.name} estimate` };
    default:
      return { queries: 1, why: 'one query' };
  }
}

function isObject(v: unknown): v is object {
  return typeof v === 'object' && v !== null;
}

function show(v: unknown): string {
  return typeof v === 'string' ? `"${v}"` : String(v);
}

function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw invalidArgument(`${name} must be one of ${allowed.join(', ')}, got ${show(value)}`);
  }
  return value as T;
}

function integer(name: string, value: unknown, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidArgument(`${name} must be an integer in [${min}, ${max}], got ${show(value)}`);
  }
  return value;
}

function number(name: string, value: unknown, r: { min: number; max: number; exclusiveMin?: boolean; exclusiveMax?: boolean }): number | undefined {
  if (value === undefined) return undefined;
  const ok = typeof value === 'number' && Number.isFinite(value) && (r.exclusiveMin ? value > r.min : value >= r.min) && (r.exclusiveMax ? value < r.max : value <= r.max);
  if (!ok) throw invalidArgument(`${name} must be a number in ${r.exclusiveMin ? '(' : '['}${r.min}, ${r.max}${r.exclusiveMax ? ')' : ']'}, got ${show(value)}`);
  return value;
}

function bool(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') throw invalidArgument(`${name} must be true or false, got ${show(value)}`);
}
