/**
 * Image decoding with the browser's own decoders, behind io/image.ts's interface (the esbuild alias swaps
 * it in): createImageBitmap (EXIF orientation applied) and an OffscreenCanvas for the resize, centre crop
 * and white background. Pixels can differ by a grey level or two from sharp's (another resampler).
 */
import { LrsalError } from '../core/errors.js';

export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

export interface LoadImageOptions {
  /** Refuse images with more pixels than this (default 50 megapixels). */
  maxPixels?: number;
  /** Resize so the shorter side is this many pixels (aspect kept). */
  resizeShorter?: number;
  /** Then cut this centre crop. */
  crop?: { width: number; height: number };
}

export const DEFAULT_MAX_PIXELS = 50_000_000;

/** Decode a photo (a File/Blob, or RGB pixels already decoded) into RGB, with the optional resize + centre crop. */
export async function loadImage(source: Blob | RgbImage, options: LoadImageOptions = {}): Promise<RgbImage> {
  const name = source instanceof File ? source.name : 'image';
  let bitmap: ImageBitmap;
  try {
    bitmap = source instanceof Blob ? await createImageBitmap(source, { imageOrientation: 'from-image', premultiplyAlpha: 'none', colorSpaceConversion: 'default' }) : await createImageBitmap(toImageData(source));
  } catch (error) {
    throw new LrsalError('IMAGE_UNREADABLE', `${name}: not a readable image (${error instanceof Error ? error.message : String(error)})`);
  }
  try {
    const { width, height } = bitmap;
    const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
    if (width * height > maxPixels) throw new LrsalError('IMAGE_TOO_LARGE', `${name}: image has more than ${maxPixels} pixels`);
    let rw = width;
    let rh = height;
    if (options.resizeShorter) {
      const s = options.resizeShorter / Math.min(width, height);
      rw = Math.max(1, Math.round(width * s));
      rh = Math.max(1, Math.round(height * s));
    } else if (options.crop) {
      // 'cover' as sharp does it: scale so the crop fits inside, then cut the centre.
      const s = Math.max(options.crop.width / width, options.crop.height / height);
      rw = Math.max(options.crop.width, Math.round(width * s));
      rh = Math.max(options.crop.height, Math.round(height * s));
    }
    const cw = options.crop?.width ?? rw;
    const ch = options.crop?.height ?? rh;
    if (cw > rw || ch > rh) throw new LrsalError('INVALID_ARGUMENT', `crop ${cw}×${ch} is larger than the resized image ${rw}×${rh}`);
    const canvas = new OffscreenCanvas(cw, ch);
    const context = canvas.getContext('2d', { willReadFrequently: true })!;
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, cw, ch);
    context.imageSmoothingEnabled = true;
    context.imageSmoothingQuality = 'high';
    context.drawImage(bitmap, -Math.floor((rw - cw) / 2), -Math.floor((rh - ch) / 2), rw, rh);
    return fromImageData(context.getImageData(0, 0, cw, ch));
  } finally {
    bitmap.close();
  }
}

/** Gaussian-blurred copy (the IG baseline): the canvas blur filter, whose radius is the Gaussian's σ as in sharp. */
export async function blurImage(image: RgbImage, sigma: number): Promise<RgbImage> {
  const source = new OffscreenCanvas(image.width, image.height);
  source.getContext('2d')!.putImageData(toImageData(image), 0, 0);
  const canvas = new OffscreenCanvas(image.width, image.height);
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  context.filter = `blur(${sigma}px)`;
  context.drawImage(source, 0, 0);
  return fromImageData(context.getImageData(0, 0, image.width, image.height));
}

export function toImageData(image: RgbImage): ImageData {
  const rgba = new Uint8ClampedArray(image.width * image.height * 4);
  for (let p = 0, q = 0; p < rgba.length; p += 4, q += 3) {
    rgba[p] = image.data[q]!;
    rgba[p + 1] = image.data[q + 1]!;
    rgba[p + 2] = image.data[q + 2]!;
    rgba[p + 3] = 255;
  }
  return new ImageData(rgba, image.width, image.height);
}

function fromImageData(pixels: ImageData): RgbImage {
  const data = new Uint8Array(pixels.width * pixels.height * 3);
  for (let p = 0, q = 0; q < data.length; p += 4, q += 3) {
    data[q] = pixels.data[p]!;
    data[q + 1] = pixels.data[p + 1]!;
    data[q + 2] = pixels.data[p + 2]!;
  }
  return { width: pixels.width, height: pixels.height, data };
}
