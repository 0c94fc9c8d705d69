/**
 * Pixel space, where every attack lives: one image is CHW RGB in [0, 1] (what a PNG holds), whatever a model's
 * preprocessing. Perturbation sizes (RMSE, L∞ ε) are measured here, so they mean the same for every model.
 */
import { invalidArgument } from '../core/errors.js';
import type { Preprocessing } from '../models/preprocess.js';

/** Root-mean-square difference of two images (pixels in [0, 1]). */
export function rmse(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw invalidArgument(`images differ in size: ${a.length} vs ${b.length} values`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    sum += d * d;
  }
  return Math.sqrt(sum / a.length);
}

/** Round to the nearest 8-bit level and clamp to [0, 1]: exactly what a lossless PNG stores. */
export function quantize(x: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = Math.min(255, Math.max(0, Math.round(x[i]! * 255))) / 255;
  return out;
}

export function clip01(x: Float32Array): Float32Array {
  for (let i = 0; i < x.length; i++) x[i] = Math.min(1, Math.max(0, x[i]!));
  return x;
}

/** x0 + t·(x1 − x0), clamped to [0, 1]. */
export function blend(x0: Float32Array, x1: Float32Array, t: number): Float32Array {
  const out = new Float32Array(x0.length);
  for (let i = 0; i < x0.length; i++) out[i] = Math.min(1, Math.max(0, x0[i]! + t * (x1[i]! - x0[i]!)));
  return out;
}

export function l2Norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}

export function l1Norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += Math.abs(v[i]!);
  return s;
}

/**
 * The affine map from pixels to one model's inputs: input[c] = pixel[rgb(c)]·mul[c] + add[c]
 * (pixels in [0, 1]; channel order and mean/std from the model's preprocessing).
 */
export interface PixelMap {
  toInput(pixels: Float32Array): Float32Array;
  /** Chain rule: ∂f/∂pixel from ∂f/∂input. */
  gradientToPixels(gradient: Float32Array): Float32Array;
  /** An attribution (per-value contribution, e.g. IG) in pixel channel order: only the channels move. */
  attributionToPixels(values: Float32Array): Float32Array;
}

export function pixelMap(p: Preprocessing): PixelMap {
  const src = [0, 1, 2].map((c) => (p.channelOrder === 'BGR' ? 2 - c : c));
  const mul = src.map((s) => (255 * p.scale) / p.std[s]!);
  const add = src.map((s) => -p.mean[s]! / p.std[s]!);
  const plane = p.height * p.width;
  const check = (v: Float32Array) => {
    if (v.length !== 3 * plane) throw invalidArgument(`image has ${v.length} values; the model takes 3×${p.height}×${p.width}`);
  };
  const toPixelOrder = (values: Float32Array, factor: number[]) => {
    check(values);
    const out = new Float32Array(values.length);
    for (let c = 0; c < 3; c++) {
      const to = src[c]! * plane;
      for (let i = 0; i < plane; i++) out[to + i] = values[c * plane + i]! * factor[c]!;
    }
    return out;
  };
  return {
    toInput(pixels) {
      check(pixels);
      const out = new Float32Array(pixels.length);
      for (let c = 0; c < 3; c++) {
        const from = src[c]! * plane;
        for (let i = 0; i < plane; i++) out[c * plane + i] = pixels[from + i]! * mul[c]! + add[c]!;
      }
      return out;
    },
    gradientToPixels: (gradient) => toPixelOrder(gradient, mul),
    attributionToPixels: (values) => toPixelOrder(values, [1, 1, 1]),
  };
}

/** HWC 8-bit RGB (a decoded image) → CHW pixels in [0, 1]. */
export function rgbToPixels(rgb: ArrayLike<number>, height: number, width: number): Float32Array {
  const plane = height * width;
  const out = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) for (let i = 0; i < plane; i++) out[c * plane + i] = rgb[i * 3 + c]! / 255;
  return out;
}

/** CHW pixels in [0, 1] → HWC 8-bit RGB (rounded, clamped), ready for a lossless PNG. */
export function pixelsToRgb(pixels: Float32Array, height: number, width: number): Uint8ClampedArray {
  const plane = height * width;
  const out = new Uint8ClampedArray(3 * plane);
  for (let c = 0; c < 3; c++) for (let i = 0; i < plane; i++) out[i * 3 + c] = Math.round(pixels[c * plane + i]! * 255);
  return out;
}
