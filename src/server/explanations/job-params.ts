/**
 * A job's options, as multipart fields named like the CLI's long options (`queries`, `top-k`, `ig-baseline`, …).
 * Every value arrives as a string and is checked here; unknown fields are refused by name. No field is ever
 * a path: models are picked by id from the server's list, the IG baseline is black or blur.
 */
import { z } from 'zod';
import { invalidArgument } from '../../core/errors.js';
import type { ExplainOptions } from '../../explain/index.js';
import { NOISE_SHAPES } from '../../gradients/noise-shapes.js';
import { BLACK_BOX_GRADIENTS } from '../../gradients/registry.js';
import { CHANNEL_REDUCTIONS } from '../../methods/channel-reduction.js';
import { METHODS } from '../../methods/registry.js';
import { SCORE_OBJECTIVES } from '../../objectives/scores.js';

const int = (min: number, max: number) => z.coerce.number({ error: 'must be a number' }).int('must be an integer').min(min).max(max);
const positive = (max: number) => z.coerce.number({ error: 'must be a number' }).positive().max(max);
const unit = z.coerce.number({ error: 'must be a number' }).gt(0).max(1);
const flag = z.enum(['true', 'false', 'on', 'off', '1', '0']).transform((v) => v === 'true' || v === 'on' || v === '1');

export function jobParamsSchema(maxQueries: number) {
  return z.strictObject({
    model: z.string().max(200).default('bundled'),
    method: z.enum(METHODS).default('ig'),
    gradient: z.enum([...BLACK_BOX_GRADIENTS, 'backprop']).default('blockwise'),
    queries: int(2, maxQueries).default(1000),
    seed: int(0, 2 ** 31 - 1).default(0),
    target: z.string().trim().min(1).max(200).optional(),
    objective: z.enum(SCORE_OBJECTIVES).default('logit'),
    sigma: positive(1000).optional(),
    block: unit.optional(),
    noise: z.enum(NOISE_SHAPES).optional(),
    tile: int(1, 64).optional(),
    antithetic: flag.optional(),
    baseline: flag.optional(),
    'batch-size': int(1, 256).optional(),
    steps: int(1, 200).optional(),
    samples: int(1, 200).optional(),
    grid: int(1, 224).optional(),
    survey: unit.optional(),
    'noise-level': positive(10).optional(),
    'ig-baseline': z.enum(['black', 'blur']).optional(),
    cells: int(1, 64).optional(),
    keep: unit.optional(),
    reduction: z.enum(CHANNEL_REDUCTIONS).default('abs-sum'),
    /** Rounds the budget is split into (a preview after each); 1 gives exactly `lrsal explain`'s map. */
    rounds: int(1, 50).optional(),
    /** How many of the model's classes the quick prediction returns (POST /v1/predictions). */
    'top-k': int(1, 20).optional(),
  });
}

export type JobParams = z.output<ReturnType<typeof jobParamsSchema>>;

/** Parse string fields; throws INVALID_ARGUMENT naming the first bad field. */
export function parseJobParams(fields: Record<string, string>, maxQueries: number): JobParams {
  const parsed = jobParamsSchema(maxQueries).safeParse(fields);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') throw invalidArgument(`unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')}`);
  const name = issue.path.join('.') || 'fields';
  throw invalidArgument(`${name}: ${issue.message}${name in fields ? ` (got "${String(fields[name]).slice(0, 40)}")` : ''}`);
}

/** The explain() options of a job (callbacks added by the runner). */
export function explainOptionsOf(p: JobParams): ExplainOptions {
  const o: ExplainOptions = {
    method: p.method,
    gradient: p.gradient,
    queries: p.queries,
    seed: p.seed,
    objective: p.objective,
    reduction: p.reduction,
    sigma: p.sigma,
    block: p.block,
    noise: p.noise,
    tile: p.tile,
    antithetic: p.antithetic,
    baseline: p.baseline,
    batchSize: p['batch-size'],
    steps: p.steps,
    samples: p.samples,
    grid: p.grid,
    survey: p.survey,
    noiseLevel: p['noise-level'],
    igBaseline: p['ig-baseline'],
    cells: p.cells,
    keep: p.keep,
  };
  if (p.target !== undefined) o.target = p.target; // index, WordNet id or name, as on the command line
  return o;
}

/** Default rounds: about one preview every 100–500 queries, at most 10. */
export function defaultRounds(queries: number): number {
  return Math.max(1, Math.min(10, Math.floor(queries / 100)));
}

export function requireRoundsFit(p: JobParams, rounds: number): void {
  if (Math.floor(p.queries / rounds) < 2) throw invalidArgument(`rounds: ${rounds} rounds need at least ${2 * rounds} queries, got ${p.queries}`);
}
