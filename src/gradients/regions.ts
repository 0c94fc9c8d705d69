/**
 * Hot loops over a rectangular region of a CHW tensor (the whole image for plain LR, one block for
 * blockwise). Region noise is stored compactly: C·h·w values, channel-major then row-major.
 * The loops run in the SIMD kernels (core/kernels/) when the arrays come from one DirectionBuffers
 * arena, else in identical-result JS.
 */
import { accumulateMany, accumulateRows, KernelArena, perturbRows } from '../core/kernels/index.js';
import type { Shape } from '../core/tensor.js';

export interface Region {
  top: number;
  left: number;
  height: number;
  width: number;
}

export function fullRegion(shape: Shape): Region {
  return { top: 0, left: 0, height: shape.height, width: shape.width };
}

export function regionSize(shape: Shape, r: Region): number {
  return shape.channels * r.height * r.width;
}

/** The engine's working arrays, allocated together in kernel memory so the kernels run in place. */
export interface DirectionBuffers {
  /** `slots` inputs back to back, each initialised to x. */
  inputs: Float32Array;
  /** A copy of x (writePerturbed's base: kernels need it in the same memory). */
  base: Float32Array;
  /** One noise buffer of `noiseSize` values per slot (contents undefined). */
  noise: Float32Array[];
  /** The float64 accumulator, zeroed. */
  acc: Float64Array;
  /** Done with every array above: lets the next estimate reuse the memory (optional, but saves ~20 ms). */
  release(): void;
}

export function directionBuffers(x: Float32Array, slots: number, noiseSize: number): DirectionBuffers {
  const d = x.length;
  const arena = KernelArena.acquire(
    KernelArena.float32Bytes(slots * d) + KernelArena.float32Bytes(d) + slots * KernelArena.float32Bytes(noiseSize) + KernelArena.float64Bytes(d),
  );
  const inputs = arena.float32(slots * d);
  for (let s = 0; s < slots; s++) inputs.set(x, s * d);
  const base = arena.float32(d);
  base.set(x);
  const noise = Array.from({ length: slots }, () => arena.float32(noiseSize));
  const acc = arena.float64(d);
  acc.fill(0);
  return { inputs, base, noise, acc, release: () => arena.release() };
}

/** out[region] = base[region] + sign · noise (out and base: one full input each). */
export function writePerturbed(out: Float32Array, outOffset: number, base: Float32Array, noise: Float32Array, sign: number, shape: Shape, r: Region): void {
  const { height: H, width: W } = shape;
  const plane = H * W;
  for (let c = 0; c < shape.channels; c++) {
    const start = c * plane + r.top * W + r.left;
    const k = c * r.height * r.width;
    // Whole rows: each channel's part of the region is one contiguous run.
    if (r.width === W) perturbRows(out, outOffset + start, base, start, noise, k, 1, r.height * W, 0, sign);
    else perturbRows(out, outOffset + start, base, start, noise, k, r.height, r.width, W, sign);
  }
}

/** out[region] = base[region]: undo a perturbation without copying the whole input. */
export function restoreRegion(out: Float32Array, outOffset: number, base: Float32Array, shape: Shape, r: Region): void {
  const { height: H, width: W } = shape;
  for (let c = 0; c < shape.channels; c++) {
    for (let y = r.top; y < r.top + r.height; y++) {
      const start = c * H * W + y * W + r.left;
      out.set(base.subarray(start, start + r.width), outOffset + start);
    }
  }
}

/** acc[region] += weight · noise. */
export function accumulateRegion(acc: Float64Array, noise: Float32Array, weight: number, shape: Shape, r: Region): void {
  const { height: H, width: W } = shape;
  const plane = H * W;
  for (let c = 0; c < shape.channels; c++) {
    const start = c * plane + r.top * W + r.left;
    const k = c * r.height * r.width;
    if (r.width === W) accumulateRows(acc, start, noise, k, weight, 1, r.height * W, 0);
    else accumulateRows(acc, start, noise, k, weight, r.height, r.width, W);
  }
}

/**
 * acc[regions[k]] += weights[k] · noises[k] for every k, in order: the same bits as accumulateRegion
 * term by term (so results stay batch-independent), but whole-image terms share one pass over acc.
 */
export function accumulateRegions(acc: Float64Array, noises: readonly Float32Array[], weights: readonly number[], shape: Shape, regions: readonly Region[]): void {
  const d = shape.channels * shape.height * shape.width;
  for (let k = 0; k < noises.length; ) {
    let end = k;
    while (end < noises.length && regionSize(shape, regions[end]!) === d) end++;
    if (end - k > 1) {
      accumulateMany(acc, 0, noises.slice(k, end), weights.slice(k, end), d);
      k = end;
    } else {
      accumulateRegion(acc, noises[k]!, weights[k]!, shape, regions[k]!);
      k++;
    }
  }
}

/**
 * Expand structured-noise coefficients to a region's compact C·h·w noise: value (c, y, x) is
 * coeffs[(shared ? 0 : c)·th·tw + (⌊y/tile⌋ − ⌊top/tile⌋)·tw + ⌊x/tile⌋ − ⌊left/tile⌋] (th × tw tiles
 * span the region). Same values as the per-element loop, but only the first row of each tile row is
 * built element by element: the other rows, and the other channels when shared, are native copies.
 */
export function expandTiles(out: Float32Array, coeffs: Float32Array, channels: number, r: Region, tile: number, shared: boolean): void {
  const { top, left, height: h, width: w } = r;
  const ty0 = Math.floor(top / tile);
  const tx0 = Math.floor(left / tile);
  const th = Math.floor((top + h - 1) / tile) - ty0 + 1;
  const tw = Math.floor((left + w - 1) / tile) - tx0 + 1;
  const plane = h * w;
  for (let c = 0; c < channels; c++) {
    if (shared && c > 0) {
      out.copyWithin(c * plane, 0, plane);
      continue;
    }
    const src = c * th * tw;
    let firstOfTile = c * plane;
    for (let y = top; y < top + h; y++) {
      const rowStart = c * plane + (y - top) * w;
      if (y === top || y % tile === 0) {
        firstOfTile = rowStart;
        const row = src + (Math.floor(y / tile) - ty0) * tw;
        // Runs of `tile` equal values; the first run may be cut by the region's left edge.
        let k = rowStart;
        let x = left;
        for (let t = 0; t < tw; t++) {
          const v = coeffs[row + t]!;
          const stop = Math.min(left + w, (tx0 + t + 1) * tile);
          for (; x < stop; x++) out[k++] = v;
        }
      } else {
        out.copyWithin(rowStart, firstOfTile, firstOfTile + w);
      }
    }
  }
}
