/**
 * Where the model's input sits on the original photo, and how to carry a model-resolution map back onto it.
 * Two fits: `crop` (resize the shorter side, cut the centre: the border is never seen by the model) and
 * `pad` (resize the longer side to fit, letterbox: the model sees all of the photo). Pure arithmetic, so the
 * same geometry serves the .npy at full size and a smaller display copy.
 */
import { LrsalError } from '../core/errors.js';

export const FITS = ['crop', 'pad'] as const;
export type Fit = (typeof FITS)[number];

export interface Size {
  width: number;
  height: number;
}

export interface ImageGeometry {
  fit: Fit;
  /** The photo as decoded (EXIF orientation applied). */
  original: Size;
  /** The model's input. */
  model: Size;
  /** Original coordinate (pixel edges, original pixels) = offset + scale · model coordinate. */
  scaleX: number;
  scaleY: number;
  offsetX: number;
  offsetY: number;
  /** The resize and placement the loader applies: resize the photo to `resized`, then cut (crop) or pad at left/top. */
  resized: Size;
  left: number;
  top: number;
}

function checkSize(what: string, s: Size): void {
  if (!(Number.isInteger(s.width) && Number.isInteger(s.height) && s.width > 0 && s.height > 0)) {
    throw new LrsalError('INVALID_ARGUMENT', `${what} size must be positive integers, got ${s.width}×${s.height}`);
  }
}

/** Resize so the shorter side is `resizeShorter`, then cut the model's size from the centre. */
export function centreCropGeometry(original: Size, model: Size, resizeShorter: number): ImageGeometry {
  checkSize('image', original);
  checkSize('model input', model);
  const s = resizeShorter / Math.min(original.width, original.height);
  const resized = { width: Math.max(1, Math.round(original.width * s)), height: Math.max(1, Math.round(original.height * s)) };
  if (model.width > resized.width || model.height > resized.height) {
    throw new LrsalError('INVALID_ARGUMENT', `crop ${model.width}×${model.height} is larger than the resized image ${resized.width}×${resized.height}`);
  }
  const left = Math.floor((resized.width - model.width) / 2);
  const top = Math.floor((resized.height - model.height) / 2);
  const scaleX = original.width / resized.width;
  const scaleY = original.height / resized.height;
  return { fit: 'crop', original, model, scaleX, scaleY, offsetX: left * scaleX, offsetY: top * scaleY, resized, left, top };
}

/** Resize so the whole photo fits the model's input, aspect kept, and pad the rest (centred). */
export function letterboxGeometry(original: Size, model: Size): ImageGeometry {
  checkSize('image', original);
  checkSize('model input', model);
  const s = Math.min(model.width / original.width, model.height / original.height);
  const resized = { width: Math.max(1, Math.round(original.width * s)), height: Math.max(1, Math.round(original.height * s)) };
  const left = Math.floor((model.width - resized.width) / 2);
  const top = Math.floor((model.height - resized.height) / 2);
  const scaleX = original.width / resized.width;
  const scaleY = original.height / resized.height;
  return { fit: 'pad', original, model, scaleX, scaleY, offsetX: -left * scaleX, offsetY: -top * scaleY, resized, left, top };
}

/** Model coordinates of the centre of output pixel (x, y) when the original is drawn at `size`. */
function modelCoordinate(g: ImageGeometry, size: Size, x: number, y: number): [number, number] {
  const u = ((x + 0.5) * g.original.width) / size.width;
  const v = ((y + 0.5) * g.original.height) / size.height;
  return [(u - g.offsetX) / g.scaleX, (v - g.offsetY) / g.scaleY];
}

/**
 * The model-resolution map (model H×W) on the original photo, at `size` (default the original's): bilinear
 * inside the part the model saw, 0 outside it (the cropped-away border was never measured; see `coverage`).
 */
export function mapToOriginal(map: Float32Array, g: ImageGeometry, size: Size = g.original): Float32Array {
  const { width: mw, height: mh } = g.model;
  if (map.length !== mw * mh) throw new LrsalError('INVALID_ARGUMENT', `map has ${map.length} values; the model input is ${mw}×${mh}`);
  checkSize('output', size);
  const out = new Float32Array(size.width * size.height);
  for (let y = 0; y < size.height; y++) {
    for (let x = 0; x < size.width; x++) {
      const [mx, my] = modelCoordinate(g, size, x, y);
      if (mx < 0 || my < 0 || mx > mw || my > mh) continue;
      // Sample between model pixel centres, clamped at the edges.
      const sx = Math.min(mw - 1, Math.max(0, mx - 0.5));
      const sy = Math.min(mh - 1, Math.max(0, my - 0.5));
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const x1 = Math.min(mw - 1, x0 + 1);
      const y1 = Math.min(mh - 1, y0 + 1);
      const fx = sx - x0;
      const fy = sy - y0;
      const top = map[y0 * mw + x0]! * (1 - fx) + map[y0 * mw + x1]! * fx;
      const bottom = map[y1 * mw + x0]! * (1 - fx) + map[y1 * mw + x1]! * fx;
      out[y * size.width + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}

/** 1 where the model saw the photo, 0 in the cropped-away border, at `size` (default the original's). */
export function coverage(g: ImageGeometry, size: Size = g.original): Uint8Array {
  const out = new Uint8Array(size.width * size.height);
  for (let y = 0; y < size.height; y++) {
    for (let x = 0; x < size.width; x++) {
      const [mx, my] = modelCoordinate(g, size, x, y);
      out[y * size.width + x] = mx >= 0 && my >= 0 && mx <= g.model.width && my <= g.model.height ? 1 : 0;
    }
  }
  return out;
}

/** The size of the original scaled so its longest side is at most `maxSide` (never enlarged). */
export function fitWithin(original: Size, maxSide: number): Size {
  const s = Math.min(1, maxSide / Math.max(original.width, original.height));
  return { width: Math.max(1, Math.round(original.width * s)), height: Math.max(1, Math.round(original.height * s)) };
}

/** The identity geometry: the photo is the model's input (a 224×224 example, or a map already at model size). */
export function identityGeometry(size: Size): ImageGeometry {
  return { fit: 'crop', original: size, model: size, scaleX: 1, scaleY: 1, offsetX: 0, offsetY: 0, resized: size, left: 0, top: 0 };
}

/**
 * The other way: a map at the original photo's size (e.g. made by another tool) sampled at the model's input
 * pixels (bilinear); model pixels outside the photo (letterbox padding) get 0.
 */
export function mapToModel(map: Float32Array, g: ImageGeometry): Float32Array {
  const { width: W, height: H } = g.original;
  if (map.length !== W * H) throw new LrsalError('INVALID_ARGUMENT', `map has ${map.length} values; the image is ${W}×${H}`);
  const out = new Float32Array(g.model.width * g.model.height);
  for (let y = 0; y < g.model.height; y++) {
    for (let x = 0; x < g.model.width; x++) {
      const u = g.offsetX + (x + 0.5) * g.scaleX;
      const v = g.offsetY + (y + 0.5) * g.scaleY;
      if (u < 0 || v < 0 || u > W || v > H) continue;
      const sx = Math.min(W - 1, Math.max(0, u - 0.5));
      const sy = Math.min(H - 1, Math.max(0, v - 0.5));
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const x1 = Math.min(W - 1, x0 + 1);
      const y1 = Math.min(H - 1, y0 + 1);
      const fx = sx - x0;
      const fy = sy - y0;
      const top = map[y0 * W + x0]! * (1 - fx) + map[y0 * W + x1]! * fx;
      const bottom = map[y1 * W + x0]! * (1 - fx) + map[y1 * W + x1]! * fx;
      out[y * g.model.width + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}
