/**
 * Tensors in model-input space: one input is a Float32Array of C·H·W values in CHW order,
 * whatever layout the model itself wants (adapters convert at their boundary).
 */
import { LrsalError } from './errors.js';

export interface Shape {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
}

/** One input (or a gradient, or a map) with its shape. */
export interface Tensor3 {
  readonly shape: Shape;
  readonly data: Float32Array;
}

export function sizeOf(shape: Shape): number {
  return shape.channels * shape.height * shape.width;
}

export function formatShape(shape: Shape): string {
  return `${shape.channels}×${shape.height}×${shape.width}`;
}

export function tensor(shape: Shape, data?: Float32Array): Tensor3 {
  const size = sizeOf(shape);
  if (data && data.length !== size) {
    throw new LrsalError('MODEL_SHAPE', `tensor of shape ${formatShape(shape)} needs ${size} values, got ${data.length}`);
  }
  return { shape, data: data ?? new Float32Array(size) };
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.channels === b.channels && a.height === b.height && a.width === b.width;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export function norm(a: ArrayLike<number>): number {
  return Math.sqrt(dot(a, a));
}

/** Cosine similarity; 0 when either vector is zero. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const na = norm(a);
  const nb = norm(b);
  return na === 0 || nb === 0 ? 0 : dot(a, b) / (na * nb);
}
