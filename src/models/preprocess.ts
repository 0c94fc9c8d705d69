/**
 * Preprocessing as configuration: how a decoded RGB photo becomes one model input.
 * Geometry (resize shorter side, centre crop) is applied when the image is decoded (io/image.ts);
 * this module maps 8-bit RGB pixels to model values and back.
 */
import { z } from 'zod';
import type { Shape } from '../core/tensor.js';

export const preprocessingSchema = z.object({
  /** Crop size fed to the model; read from the model's input shape when it is fixed. */
  height: z.number().int().positive(),
  width: z.number().int().positive(),
  /** Shorter side after resizing, before the centre crop; default: crop / 0.875 (256 for 224). */
  resizeShorter: z.number().int().positive().optional(),
  /** Channel order the model expects. */
  channelOrder: z.enum(['RGB', 'BGR']).default('RGB'),
  /** Pixels (0..255) are multiplied by this before mean/std: 1 for 0..255 models, 1/255 for 0..1 models. */
  scale: z.number().positive().default(1),
  /** Per-channel mean, in R,G,B order and in scaled units; subtracted. */
  mean: z.tuple([z.number(), z.number(), z.number()]).default([0, 0, 0]),
  /** Per-channel std, in R,G,B order and in scaled units; divided by. */
  std: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]).default([1, 1, 1]),
});

export type Preprocessing = z.output<typeof preprocessingSchema>;
export type PreprocessingInput = z.input<typeof preprocessingSchema>;

export const PREPROCESSING_PRESETS = {
  /** Caffe-style (SqueezeNet, VGG from Caffe): BGR, 0..255 minus the ImageNet mean. */
  caffe: { channelOrder: 'BGR', scale: 1, mean: [123.68, 116.779, 103.939], std: [1, 1, 1] },
  /** TF-slim / MobileNet / Inception: RGB scaled to about −1..1. */
  inception: { channelOrder: 'RGB', scale: 1, mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] },
  /** torchvision: RGB in 0..1, ImageNet mean/std. */
  torchvision: { channelOrder: 'RGB', scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  /** Raw 0..255 RGB. */
  raw: { channelOrder: 'RGB', scale: 1, mean: [0, 0, 0], std: [1, 1, 1] },
} as const satisfies Record<string, Omit<PreprocessingInput, 'height' | 'width'>>;

export type PresetName = keyof typeof PREPROCESSING_PRESETS;

export function resizeShorterOf(p: Preprocessing): number {
  return p.resizeShorter ?? Math.round(Math.min(p.height, p.width) / 0.875);
}

export function inputShapeOf(p: Preprocessing): Shape {
  return { channels: 3, height: p.height, width: p.width };
}

/** Model channel c reads RGB channel rgbIndex(c). */
function rgbIndex(p: Preprocessing, c: number): number {
  return p.channelOrder === 'BGR' ? 2 - c : c;
}

/** One 8-bit grey level expressed in model-input units, per model channel (used to scale σ defaults). */
export function pixelStep(p: Preprocessing): number[] {
  return [0, 1, 2].map((c) => p.scale / p.std[rgbIndex(p, c)]!);
}

/** Interleaved RGB pixels (HWC, 0..255) → model input (CHW, model channel order). */
export function toModelInput(p: Preprocessing, rgb: ArrayLike<number>, height: number, width: number): Float32Array {
  const plane = height * width;
  const out = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) {
    const src = rgbIndex(p, c);
    const mul = p.scale / p.std[src]!;
    const add = -p.mean[src]! / p.std[src]!;
    const base = c * plane;
    for (let i = 0; i < plane; i++) out[base + i] = rgb[i * 3 + src]! * mul + add;
  }
  return out;
}

/** Model input (CHW) → interleaved RGB pixels (HWC, clamped and rounded to 0..255). */
export function toPixels(p: Preprocessing, input: Float32Array, height: number, width: number): Uint8ClampedArray {
  const plane = height * width;
  const out = new Uint8ClampedArray(3 * plane);
  for (let c = 0; c < 3; c++) {
    const dst = rgbIndex(p, c);
    const mul = p.std[dst]! / p.scale;
    const add = p.mean[dst]! / p.scale;
    const base = c * plane;
    for (let i = 0; i < plane; i++) out[i * 3 + dst] = input[base + i]! * mul + add;
  }
  return out;
}

/** The model input of an all-black image: what "black" means as an IG baseline or a RISE/deletion fill. */
export function blackInput(p: Preprocessing, shape: Shape): Float32Array {
  return toModelInput(p, new Uint8Array(shape.height * shape.width * 3), shape.height, shape.width);
}
