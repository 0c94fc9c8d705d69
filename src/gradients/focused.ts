/**
 * Focused random directions: blockwise LR that spends its queries where the gradient is, with a Kaczmarz
 * accumulator so that no query is wasted on what earlier queries already explain.
 *
 * Why: SqueezeNet's gradient is concentrated, not spread: on the dev images the densest 10 % of pixels hold
 * 68–91 % of its energy (docs/gradient-energy.md), yet isotropic directions spend equal effort on every input value (cosine ≈ √(n/(n+d))).
 * The image is cut into a grid of cells (blocks that tile it).
 *  1. Survey: a share of the budget goes to Gaussian directions supported on one cell each, cells visited in
 *     random order, round after round. Each answer y = f(x+z) − f(x) ≈ ∇f·z also measures the cell's energy
 *     density: E[y²/|z|²] = |∇f_cell|² / (values in the cell).
 *  2. Focus: the rest goes to the densest cells first. Within a cell, directions are Gaussian on the parts of a
 *     random partition of its values: disjoint supports, hence exactly orthogonal, so m queries resolve a cell
 *     of m values completely (isotropic directions would need ≫ m).
 * Accumulation (Kaczmarz): est += ((y − est·z) / |z|²) z. Each answer moves the estimate just enough to agree
 * with it; with orthogonal directions that is the exact projection of ∇f onto their span, and the error never
 * grows. The current estimate acts as a control variate for the next query (LR with baseline est·z).
 * What it estimates: the gradient's projection onto the directions spent, a BIASED estimate of ∇f (cells never
 * focused stay near zero; Integrated Gradients' completeness does not hold), exact for linear f once every value
 * has been resolved. Channel-shared noise runs the same scheme on pixels (one value for all channels) and
 * estimates the channel mean of the gradient (noise-shapes.ts).
 * Randomness is consumed direction by direction and the updates run in query order: the map does not depend on
 * the batch size. Memory: the estimate and the grid, whatever the number of queries.
 */
import { invalidArgument, LrsalError, requireInteger } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import { sizeOf, type Shape } from '../core/tensor.js';
import type { CellRanking } from './focus-sharing.js';
import type { GradientEstimate, GradientRequest } from './gradient-source.js';
import type { NoiseShape } from './noise-shapes.js';
import { validateSettings, type ControlVariate, type DirectionSettings, type RandomDirectionSource } from './random-directions.js';

export interface FocusedOptions {
  /** Noise standard deviation per input value, in model-input units. */
  sigma: number;
  batchSize: number;
  /** 'iid' (every value its own coefficient) or 'channel-shared' (one per pixel). */
  noise: NoiseShape;
  /** Cells per image side: the grid has grid × grid cells (default 16, or the image side if smaller). */
  grid: number;
  /** Share of the budget spent surveying the cells, in (0, 1]. */
  survey: number;
  /** Top-k: how the cells to focus on are chosen (default rankCells; focus-sharing.ts lets other classes follow the first). */
  ranking?: CellRanking;
}

/** Chosen by an offline simulation on exact SqueezeNet gradients, then measured on the model (docs/results.md). */
export const FOCUSED_DEFAULTS: FocusedOptions = { sigma: 0.05, batchSize: 8, noise: 'channel-shared', grid: 16, survey: 0.2 };

/**
 * Weight of the neighbours' mean in a cell's density estimate. Offline simulation on exact SqueezeNet gradients
 * (8 dev images, linear oracle): cosine at n = 1,000 / 2,000 / 5,000 rose from 25 / 37 / 55 % (own density only)
 * to 30 / 40 / 56 % at 0.5 (42 % at n = 2,000 for 0.8).
 */
const NEIGHBOUR_WEIGHT = 0.5;

/**
 * Focus directions on s of a cell's m values use σ·(m/s)^¼ per value: between equal σ per value (exponent 0:
 * a single pixel's answer then drowns in the model's float32 rounding) and equal direction norm (½: a pixel
 * moved by σ·√m leaves the linear regime). Measured on SqueezeNet at n = 5,000 (4 dev images): 36.5 % (0),
 * 50.9 % (¼), 47.2 % (½); a noiseless linear oracle reaches 52.9 %.
 */
const SUPPORT_EXPONENT = 0.25;

/** One direction: values on a set of coefficients (pixels for channel-shared noise, CHW values otherwise). */
interface Direction {
  cell: number;
  coords: Int32Array;
  values: Float32Array;
}

export function focused(shape: Shape, options: Partial<FocusedOptions> = {}): RandomDirectionSource {
  // The default grid shrinks to fit small images; an explicit one must fit.
  const side = Math.min(shape.height, shape.width);
  const opts = { ...FOCUSED_DEFAULTS, grid: Math.min(FOCUSED_DEFAULTS.grid, side), ...options };
  const settings: DirectionSettings = { sigma: opts.sigma, antithetic: false, baseline: true, batchSize: opts.batchSize, noise: opts.noise, tile: 1 };
  validateSettings(settings);
  const grid = requireInteger('grid', opts.grid, 1);
  if (grid > side) throw invalidArgument(`grid must be at most ${side} (the image side), got ${grid}`);
  if (!(opts.survey > 0 && opts.survey <= 1)) throw invalidArgument(`survey must be a share of the budget in (0, 1], got ${opts.survey}`);
  const cells = cellCoordinates(shape, grid, opts.noise === 'channel-shared');
  return {
    name: 'focused',
    settings,
    minQueries: 2,
    estimate: (request, control) => estimateFocused({ ...request, points: [request.x], values: [request.valueAtX] }, cells, opts, control),
    estimateMean: (request) => estimateFocused({ ...request, values: request.points.map(() => undefined) }, cells, opts),
  };
}

/** The coefficients of each cell of a grid × grid partition of the image (pixel indices when channel-shared). */
export function cellCoordinates(shape: Shape, grid: number, shared: boolean): Int32Array[] {
  const { channels: C, height: H, width: W } = shape;
  const cells: Int32Array[] = [];
  for (let cy = 0; cy < grid; cy++) {
    for (let cx = 0; cx < grid; cx++) {
      const [y0, y1] = [Math.floor((cy * H) / grid), Math.floor(((cy + 1) * H) / grid)];
      const [x0, x1] = [Math.floor((cx * W) / grid), Math.floor(((cx + 1) * W) / grid)];
      const coords = new Int32Array((shared ? 1 : C) * (y1 - y0) * (x1 - x0));
      let k = 0;
      for (let c = 0; c < (shared ? 1 : C); c++) for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) coords[k++] = c * H * W + y * W + x;
      cells.push(coords);
    }
  }
  return cells;
}

/** f at several points, one estimate of the mean of their gradients (Integrated Gradients' path). */
interface FocusedRequest extends Omit<GradientRequest, 'x' | 'valueAtX'> {
  points: Float32Array[];
  /** f at each point, where already paid for. */
  values: Array<number | undefined>;
}

/**
 * Directions go to the points in turn (direction k to point k mod P), each answer measured against f at its
 * own point: the Kaczmarz estimate then tracks the mean gradient over the points, and one survey serves them all.
 */
async function estimateFocused(request: FocusedRequest, cells: Int32Array[], opts: FocusedOptions, control?: ControlVariate): Promise<GradientEstimate> {
  const { f, points, rng, signal } = request;
  const shape = f.shape;
  const { channels: C, height: H, width: W } = shape;
  const d = sizeOf(shape);
  for (const point of points) if (point.length !== d) throw new LrsalError('MODEL_SHAPE', `point has ${point.length} values; the function takes ${d}`);
  const shared = opts.noise === 'channel-shared';
  let remaining = requireInteger('queries', request.queries, 0);
  const missing = points.flatMap((_, p) => (request.values[p] === undefined ? [p] : []));
  if (remaining < missing.length + 1) {
    const why = points.length > 1 ? `f at ${missing.length} points and one direction` : missing.length ? 'f(x) and one direction' : 'one direction when f(x) is known';
    throw invalidArgument(`a focused estimate needs at least ${missing.length + 1} queries (${why}), got ${request.queries}`);
  }
  const fx = [...request.values];
  for (let start = 0; start < missing.length; start += opts.batchSize) {
    const chunk = missing.slice(start, start + opts.batchSize);
    const batch = new Float32Array(chunk.length * d);
    chunk.forEach((p, i) => batch.set(points[p]!, i * d));
    const answers = await f.evaluate(batch, chunk.length, signal);
    chunk.forEach((p, i) => (fx[p] = answers[i]!));
  }
  let spent = missing.length;
  remaining -= missing.length;

  const slots = opts.batchSize;
  const inputs = new Float32Array(slots * d);
  // Which point each batch slot holds; directions only touch their support, so a slot is rewritten in full
  // only when its point changes.
  const slotPoint = new Int32Array(slots).fill(-1);
  let issued = 0;
  const estimate = new Float64Array(shared ? H * W : d);
  const density = new Float64Array(cells.length);
  const visits = new Float64Array(cells.length);
  const plane = H * W;

  /** Query the directions in batches, in order, and fold each answer into the estimate (and, surveying, into the densities). */
  async function run(directions: Iterator<Direction>, surveying: boolean): Promise<void> {
    let next = directions.next();
    while (!next.done) {
      if (signal?.aborted) throw new LrsalError('ABORTED', 'estimate aborted');
      const batch: Array<Direction & { point: number }> = [];
      while (!next.done && batch.length < slots) {
        const dir = { ...next.value, point: issued++ % points.length };
        const offset = batch.length * d;
        if (slotPoint[batch.length] !== dir.point) inputs.set(points[dir.point]!, offset);
        slotPoint[batch.length] = dir.point;
        const x = points[dir.point]!;
        for (let i = 0; i < dir.coords.length; i++) {
          const k = dir.coords[i]!;
          if (shared) for (let c = 0; c < C; c++) inputs[offset + c * plane + k] = x[c * plane + k]! + dir.values[i]!;
          else inputs[offset + k] = x[k]! + dir.values[i]!;
        }
        batch.push(dir);
        next = directions.next();
      }
      let values: Float64Array;
      try {
        values = await f.evaluate(inputs.subarray(0, batch.length * d), batch.length, signal);
      } finally {
        for (const [slot, dir] of batch.entries()) restore(slot * d, dir);
      }
      spent += batch.length;
      for (const [slot, dir] of batch.entries()) {
        let y = values[slot]! - fx[dir.point]!;
        if (control) y -= control.slope * controlDot(control.direction, dir);
        const energy = kaczmarz(estimate, dir, y);
        if (surveying) {
          density[dir.cell]! += energy;
          visits[dir.cell]!++;
        }
      }
    }
  }
  function restore(offset: number, dir: Direction & { point: number }): void {
    const x = points[dir.point]!;
    for (const k of dir.coords) {
      if (shared) for (let c = 0; c < C; c++) inputs[offset + c * plane + k] = x[c * plane + k]!;
      else inputs[offset + k] = x[k]!;
    }
  }
  function controlDot(v: Float32Array, dir: Direction): number {
    let s = 0;
    for (let i = 0; i < dir.coords.length; i++) {
      const k = dir.coords[i]!;
      if (shared) for (let c = 0; c < C; c++) s += v[c * plane + k]! * dir.values[i]!;
      else s += v[k]! * dir.values[i]!;
    }
    return s;
  }

  const surveyQueries = Math.max(1, Math.min(remaining, Math.round(opts.survey * remaining)));
  await run(surveyDirections(cells, surveyQueries, rng, opts.sigma), true);
  const ranking = (opts.ranking ?? rankCells)(density, visits, Math.round(Math.sqrt(cells.length)));
  await run(focusDirections(cells, ranking, remaining - surveyQueries, rng, opts.sigma), false);

  const gradient = new Float32Array(d);
  if (shared) for (let c = 0; c < C; c++) for (let p = 0; p < plane; p++) gradient[c * plane + p] = estimate[p]! / C;
  else for (let i = 0; i < d; i++) gradient[i] = estimate[i]!;
  return { gradient, queries: spent };
}

/**
 * One Kaczmarz step: est += ((y − est·z) / |z|²) z, over the direction's support. Returns y²/|z|², the
 * direction's measure of its cell's energy density. For channel-shared noise y ≈ (Σ_c ∇f_c)·z: the estimate
 * then holds channel sums.
 */
function kaczmarz(estimate: Float64Array, dir: Direction, y: number): number {
  let explained = 0;
  let squares = 0;
  for (let i = 0; i < dir.coords.length; i++) {
    const v = dir.values[i]!;
    explained += estimate[dir.coords[i]!]! * v;
    squares += v * v;
  }
  if (!(squares > 0)) return 0;
  const step = (y - explained) / squares;
  for (let i = 0; i < dir.coords.length; i++) estimate[dir.coords[i]!]! += step * dir.values[i]!;
  return (y * y) / squares;
}

/**
 * Cells by estimated energy density, densest first. A cell's estimate is its measured mean density mixed with
 * the mean of its visited neighbours (weight NEIGHBOUR_WEIGHT): one or two survey answers per cell are a noisy
 * measure (χ² with that many degrees of freedom), and the gradient's energy is spatially clustered. Cells with
 * no information at all come last, in grid order.
 */
export function rankCells(density: Float64Array, visits: Float64Array, grid: number): number[] {
  const own = (c: number) => density[c]! / visits[c]!;
  const score = new Float64Array(density.length).fill(-1);
  for (let cy = 0; cy < grid; cy++) {
    for (let cx = 0; cx < grid; cx++) {
      let sum = 0;
      let count = 0;
      for (let y = Math.max(0, cy - 1); y <= Math.min(grid - 1, cy + 1); y++)
        for (let x = Math.max(0, cx - 1); x <= Math.min(grid - 1, cx + 1); x++)
          if ((y !== cy || x !== cx) && visits[y * grid + x]! > 0) {
            sum += own(y * grid + x);
            count++;
          }
      const c = cy * grid + cx;
      const neighbours = count > 0 ? sum / count : undefined;
      if (visits[c]! > 0) score[c] = (1 - NEIGHBOUR_WEIGHT) * own(c) + NEIGHBOUR_WEIGHT * (neighbours ?? own(c));
      else if (neighbours !== undefined) score[c] = NEIGHBOUR_WEIGHT * neighbours;
    }
  }
  return Array.from(density.keys()).sort((a, b) => score[b]! - score[a]! || a - b);
}

/** `count` Gaussian directions, each on a whole cell, cells in a fresh random order every round. */
function* surveyDirections(cells: Int32Array[], count: number, rng: Rng, sigma: number): Generator<Direction> {
  let order: number[] = [];
  for (let k = 0; k < count; k++) {
    if (k % cells.length === 0) order = shuffle(Array.from(cells.keys()), rng);
    const cell = order[k % cells.length]!;
    const coords = cells[cell]!;
    yield { cell, coords, values: normals(coords.length, rng, sigma) };
  }
}

/**
 * `count` directions for the cells in `ranking` order: each cell takes up to as many directions as it has
 * values, Gaussian on the parts of a random partition of its values (orthogonal). A budget larger than the
 * image starts over with fresh partitions.
 */
function* focusDirections(cells: Int32Array[], ranking: number[], count: number, rng: Rng, sigma: number): Generator<Direction> {
  let left = count;
  while (left > 0) {
    for (const cell of ranking) {
      if (left <= 0) return;
      const values = Int32Array.from(cells[cell]!);
      shuffle(values, rng);
      const parts = Math.min(left, values.length);
      left -= parts;
      for (let k = 0; k < parts; k++) {
        const coords = values.subarray(Math.floor((k * values.length) / parts), Math.floor(((k + 1) * values.length) / parts));
        const scale = sigma * (values.length / coords.length) ** SUPPORT_EXPONENT;
        yield { cell, coords, values: normals(coords.length, rng, scale) };
      }
    }
  }
}

function normals(n: number, rng: Rng, sigma: number): Float32Array {
  const out = new Float32Array(n);
  rng.fillNormal(out, 0, n, sigma);
  return out;
}

/** Fisher–Yates, in place. */
function shuffle<T extends { length: number; [i: number]: number }>(a: T, rng: Rng): T {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return a;
}
