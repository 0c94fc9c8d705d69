/**
 * RISE (Petsiuk et al., 2018), the black-box baseline: saliency = 1/(N·p) Σ_i f(b + M_i ⊙ (x − b)) M_i,
 * with masks M_i = a random binary grid (each node kept with probability p, nodes every cell = ⌈side / s⌉
 * pixels), bilinearly interpolated and shifted by a random offset in [0, cell) — so cell borders fall anywhere,
 * and every pixel, border or centre, sees the same distribution of mask values (axisSampling).
 * b is what a masked pixel becomes (black in model-input space by default). One query per mask; the map
 * is one plane (pixels, not channels) and streams into a single accumulator, in chunks of masks that shards
 * can compute apart and merge exactly (gradients/chunks.ts).
 */
import { invalidArgument, requireInteger } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import type { Shape } from '../core/tensor.js';
import { CHUNK_DIRECTIONS, chunkCount } from '../gradients/chunks.js';
import { requireBudget, type AttributionMethod } from './attribution.js';

export interface RiseOptions {
  /** Grid cells per side s (default 7, as in the RISE paper for ImageNet). */
  cells?: number;
  /** Probability p that a cell is kept (default 0.5). */
  keep?: number;
  /** Value of masked-out inputs (default zeros; the CLI passes black). */
  fill?: Float32Array;
  /** Masks per model call (default 8). */
  batchSize?: number;
}

export const RISE_DEFAULTS = { cells: 7, keep: 0.5, batchSize: 8 };

/**
 * Precomputed bilinear sampling of one axis: grid nodes every `cell` pixels (cell = ⌈length / cells⌉), pixel u of
 * the shifted canvas between nodes ⌊u / cell⌋ and ⌊u / cell⌋ + 1 at t = (u mod cell) / cell. The canvas spans
 * length + cell − 1 pixels, so cells + 2 nodes cover it without clamping. With the shift uniform in [0, cell),
 * every pixel's t is uniform over {0, 1/cell, …}: border pixels get the same mix of pure and interpolated mask
 * values as the centre. (The original scheme — cells nodes, upsampled with half-pixel centres and clamped edges —
 * left border pixels un-interpolated half the time: a 25 % larger E[M²], i.e. brighter borders; rise-borders.test.ts.)
 */
interface AxisSampling {
  lo: Int32Array;
  t: Float32Array;
  cell: number;
}

function axisSampling(cells: number, length: number): AxisSampling {
  const cell = Math.ceil(length / cells);
  const span = length + cell - 1;
  const lo = new Int32Array(span);
  const t = new Float32Array(span);
  for (let u = 0; u < span; u++) {
    lo[u] = Math.floor(u / cell);
    t[u] = (u % cell) / cell;
  }
  return { lo, t, cell };
}

/** Draw one mask (H·W values in [0, 1]) into `out`: a (cells + 2)² grid of kept (1) / dropped (0) nodes, interpolated. */
function drawMask(out: Float32Array, shape: Shape, cells: number, keep: number, rows: AxisSampling, cols: AxisSampling, rng: Rng, scratch: Float32Array): void {
  const { height: H, width: W } = shape;
  const nodes = cells + 2;
  const grid = new Uint8Array(nodes * nodes);
  for (let i = 0; i < grid.length; i++) grid[i] = rng.nextFloat() < keep ? 1 : 0;
  const dy = rng.nextInt(rows.cell);
  const dx = rng.nextInt(cols.cell);
  // Separable: first along columns for every grid row (nodes × W), then along rows.
  for (let g = 0; g < nodes; g++) {
    for (let x = 0; x < W; x++) {
      const u = x + dx;
      const a = grid[g * nodes + cols.lo[u]!]!;
      const b = grid[g * nodes + cols.lo[u]! + 1]!;
      scratch[g * W + x] = a + (b - a) * cols.t[u]!;
    }
  }
  for (let y = 0; y < H; y++) {
    const v = y + dy;
    const r0 = rows.lo[v]! * W;
    const r1 = r0 + W;
    const t = rows.t[v]!;
    for (let x = 0; x < W; x++) {
      const a = scratch[r0 + x]!;
      out[y * W + x] = a + (scratch[r1 + x]! - a) * t;
    }
  }
}

/** RISE's masks for one image shape: `draw(out, rng)` writes the next H·W mask. */
export function riseMasks(shape: Shape, cells: number, keep: number): { draw(out: Float32Array, rng: Rng): void } {
  const rows = axisSampling(cells, shape.height);
  const cols = axisSampling(cells, shape.width);
  const scratch = new Float32Array((cells + 2) * shape.width);
  return { draw: (out, rng) => drawMask(out, shape, cells, keep, rows, cols, rng, scratch) };
}

export function rise(options: RiseOptions = {}): AttributionMethod {
  const { cells, keep, batchSize } = { ...RISE_DEFAULTS, ...options };
  requireInteger('RISE cells', cells, 1);
  requireInteger('batch size', batchSize, 1);
  if (!(keep > 0 && keep < 1)) throw invalidArgument(`RISE keep probability must be in (0, 1), got ${keep}`);
  return {
    name: 'rise',
    minQueries: 1,
    async attribute({ f, x, queries, rng, signal, chunks: ledger }) {
      requireBudget('rise', queries, 1, 'one mask');
      const shape = f.shape;
      const plane = shape.height * shape.width;
      const fill = options.fill ?? new Float32Array(x.length);
      const sampler = riseMasks(shape, cells, keep);
      const masks = new Float32Array(2 * batchSize * plane);
      const inputs = new Float32Array(2 * batchSize * x.length);
      // Masks come in chunks with their own streams and partial sums, added in chunk order (gradients/chunks.ts).
      const streams = rng.derive([0]);
      rng.nextUint32();
      const acc = new Float64Array(plane);
      const chunkAcc = new Float64Array(plane);
      const chunkTotal = chunkCount(queries);
      ledger?.plan(0, chunkTotal);
      for (let chunk = 0; chunk < chunkTotal; chunk++) {
        const first = chunk * CHUNK_DIRECTIONS;
        const end = Math.min(queries, first + CHUNK_DIRECTIONS);
        let partial = ledger?.lookup(0, chunk);
        if (partial === undefined) {
          if (ledger && !ledger.computes(0, chunk)) continue;
          const chunkRng = streams.derive([chunk]);
          chunkAcc.fill(0);
          // Masks of set `set` for the next n queries, drawn in order.
          const prepare = (set: number, n: number) => {
            for (let i = 0; i < n; i++) {
              const k = set * batchSize + i;
              const mask = masks.subarray(k * plane, (k + 1) * plane);
              sampler.draw(mask, chunkRng);
              const o = k * x.length;
              for (let c = 0; c < shape.channels; c++) {
                const base = c * plane;
                for (let p = 0; p < plane; p++) {
                  const b = fill[base + p]!;
                  inputs[o + base + p] = b + mask[p]! * (x[base + p]! - b);
                }
              }
            }
            return n;
          };
          // Double buffering: the next masks are drawn while the model answers the current ones.
          let set = 0;
          let done = first;
          let n = prepare(set, Math.min(batchSize, end - done));
          while (n > 0) {
            const call = f.evaluate(inputs.subarray(set * batchSize * x.length, (set * batchSize + n) * x.length), n, signal);
            const next = done + n;
            let upcoming: number;
            try {
              upcoming = next < end ? prepare(1 - set, Math.min(batchSize, end - next)) : 0;
            } catch (error) {
              await call.catch(() => undefined);
              throw error;
            }
            const values = await call;
            for (let i = 0; i < n; i++) {
              const v = values[i]!;
              const o = (set * batchSize + i) * plane;
              for (let p = 0; p < plane; p++) chunkAcc[p]! += v * masks[o + p]!;
            }
            done = next;
            n = upcoming;
            set = 1 - set;
          }
          ledger?.record(0, chunk, chunkAcc, end - first);
          partial = chunkAcc;
        }
        for (let p = 0; p < plane; p++) acc[p]! += partial[p]!;
      }
      const spent = queries;
      const values = new Float32Array(plane);
      const scale = 1 / (queries * keep);
      for (let p = 0; p < plane; p++) values[p] = acc[p]! * scale;
      return { values, shape: { channels: 1, height: shape.height, width: shape.width }, queries: spent };
    },
  };
}
