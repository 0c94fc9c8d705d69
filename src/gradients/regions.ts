/**
 * Hot loops over a rectangular region of a CHW tensor (the whole image for plain LR, one block for
 * blockwise). Region noise is stored compactly: C·h·w values, channel-major then row-major.
 */
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

/** out[region] = base[region] + sign · noise (out and base: one full input each). */
export function writePerturbed(out: Float32Array, outOffset: number, base: Float32Array, noise: Float32Array, sign: number, shape: Shape, r: Region): void {
  const { height: H, width: W } = shape;
  let k = 0;
  if (r.width === W) {
    // Whole rows: each channel's part of the region is one contiguous run.
    const run = r.height * W;
    for (let c = 0; c < shape.channels; c++) {
      const start = c * H * W + r.top * W;
      const o = outOffset + start;
      for (let i = 0; i < run; i++) out[o + i] = base[start + i]! + sign * noise[k++]!;
    }
    return;
  }
  for (let c = 0; c < shape.channels; c++) {
    for (let y = r.top; y < r.top + r.height; y++) {
      const start = c * H * W + y * W + r.left;
      const o = outOffset + start;
      for (let i = 0; i < r.width; i++) out[o + i] = base[start + i]! + sign * noise[k++]!;
    }
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
  let k = 0;
  if (r.width === W) {
    const run = r.height * W;
    for (let c = 0; c < shape.channels; c++) {
      const start = c * H * W + r.top * W;
      for (let i = 0; i < run; i++) acc[start + i]! += weight * noise[k++]!;
    }
    return;
  }
  for (let c = 0; c < shape.channels; c++) {
    for (let y = r.top; y < r.top + r.height; y++) {
      const start = c * H * W + y * W + r.left;
      for (let i = 0; i < r.width; i++) acc[start + i]! += weight * noise[k++]!;
    }
  }
}
