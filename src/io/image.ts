/**
 * Image decoding with sharp: JPEG/PNG/WebP (anything libvips reads), EXIF orientation applied,
 * alpha flattened on white, a pixel limit against decompression bombs, and the model's crop geometry.
 */
import { access, constants } from 'node:fs/promises';
import sharp, { type Metadata } from 'sharp';
import { LrsalError } from '../core/errors.js';
import type { ImageGeometry, Size } from '../render/geometry.js';

/** Interleaved 8-bit RGB pixels. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

export interface LoadImageOptions {
  /** Refuse images with more pixels than this before decoding them (default 50 megapixels). */
  maxPixels?: number;
  /** Resize so the shorter side is this many pixels (aspect kept). */
  resizeShorter?: number;
  /** Then cut this centre crop. */
  crop?: { width: number; height: number };
  /** Told about silent choices made for the caller (which frame of an animation was used). */
  warn?: (message: string) => void;
  /** Instead of resizeShorter/crop: resize to geometry.resized, then cut (fit crop) or pad (fit pad) to the model's size. */
  geometry?: ImageGeometry;
  /** Instead: resize to exactly this size (display copies; the caller keeps the aspect). */
  size?: Size;
}

/** Letterbox fill for `--fit pad`: the ImageNet mean colour, about zero after any mean subtraction. */
export const PAD_COLOUR = { r: 124, g: 116, b: 104 };

export const DEFAULT_MAX_PIXELS = 50_000_000;

/** FILE_NOT_FOUND for a path that cannot be read (buffers pass). */
async function requireReadable(source: string | Buffer): Promise<void> {
  if (typeof source !== 'string') return;
  try {
    await access(source, constants.R_OK);
  } catch {
    throw new LrsalError('FILE_NOT_FOUND', `image not found or not readable: ${source}`);
  }
}

/** Decode an image file or buffer into RGB pixels, applying the optional resize + centre crop. */
export async function loadImage(source: string | Buffer, options: LoadImageOptions = {}): Promise<RgbImage> {
  const name = typeof source === 'string' ? source : 'image buffer';
  await requireReadable(source);
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  try {
    let pipeline = sharp(source, { limitInputPixels: maxPixels, failOn: 'truncated' }).rotate();
    const meta = await sharp(source, { limitInputPixels: maxPixels }).metadata();
    // CMYK (print) files: a colour-managed conversion (embedded profile, else libvips' CMYK profile) instead of
    // the plain channel formula, which shifted colours enough to change the top-1 class.
    if (meta.space === 'cmyk') pipeline = pipeline.pipelineColourspace('srgb');
    if (meta.pages !== undefined && meta.pages > 1) {
      options.warn?.(`${name} has ${meta.pages} ${meta.format === 'gif' || meta.format === 'webp' ? 'frames' : 'pages'}; using the first`);
    }
    if (options.geometry) {
      const g = options.geometry;
      pipeline = pipeline.resize(g.resized.width, g.resized.height, { fit: 'fill' });
      pipeline = g.fit === 'crop'
        ? pipeline.extract({ left: g.left, top: g.top, width: g.model.width, height: g.model.height })
        : pipeline.extend({ left: g.left, top: g.top, right: g.model.width - g.resized.width - g.left, bottom: g.model.height - g.resized.height - g.top, background: PAD_COLOUR });
    } else if (options.size) {
      pipeline = pipeline.resize(options.size.width, options.size.height, { fit: 'fill' });
    } else if (options.resizeShorter) {
      const { width, height } = orientedSize(meta);
      const s = options.resizeShorter / Math.min(width, height);
      const rw = Math.max(1, Math.round(width * s));
      const rh = Math.max(1, Math.round(height * s));
      pipeline = pipeline.resize(rw, rh, { fit: 'fill' });
      if (options.crop) {
        const { width: cw, height: ch } = options.crop;
        if (cw > rw || ch > rh) {
          throw new LrsalError('INVALID_ARGUMENT', `crop ${cw}×${ch} is larger than the resized image ${rw}×${rh}`);
        }
        // Resize then extract: chaining two resize() calls in sharp would keep only the last one.
        pipeline = pipeline.extract({ left: Math.floor((rw - cw) / 2), top: Math.floor((rh - ch) / 2), width: cw, height: ch });
      }
    } else if (options.crop) {
      pipeline = pipeline.resize(options.crop.width, options.crop.height, { fit: 'cover' });
    }
    const { data, info } = await pipeline
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new LrsalError('IMAGE_UNREADABLE', `${name}: expected 3 colour channels, got ${info.channels}`);
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch (error) {
    if (error instanceof LrsalError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    if (/pixel limit/i.test(message)) {
      throw new LrsalError('IMAGE_TOO_LARGE', `${name}: image has more than ${maxPixels} pixels (decompression-bomb limit)`);
    }
    throw new LrsalError('IMAGE_UNREADABLE', `${name}: not a readable image (${firstLine(message)})`);
  }
}

/** Width and height of an image as displayed (EXIF orientation applied), without decoding its pixels. */
export async function imageSize(source: string | Buffer, maxPixels = DEFAULT_MAX_PIXELS): Promise<Size> {
  const name = typeof source === 'string' ? source : 'image buffer';
  await requireReadable(source);
  let meta: Metadata;
  try {
    meta = await sharp(source, { limitInputPixels: maxPixels }).metadata();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/pixel limit/i.test(message)) throw new LrsalError('IMAGE_TOO_LARGE', `${name}: image has more than ${maxPixels} pixels (decompression-bomb limit)`);
    throw new LrsalError('IMAGE_UNREADABLE', `${name}: not a readable image (${firstLine(message)})`);
  }
  return orientedSize(meta);
}

function orientedSize(meta: Metadata): { width: number; height: number } {
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (!width || !height) throw new LrsalError('IMAGE_UNREADABLE', 'image has no size');
  // EXIF orientations 5–8 swap width and height.
  return meta.orientation && meta.orientation >= 5 ? { width: height, height: width } : { width, height };
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.trim();
}

/** Encode RGB pixels as PNG. */
export async function encodePng(image: RgbImage): Promise<Buffer> {
  return sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.length), {
    raw: { width: image.width, height: image.height, channels: 3 },
  })
    .png()
    .toBuffer();
}

/** Gaussian-blurred copy of an image (an IG baseline and the start of the insertion curve). */
export async function blurImage(image: RgbImage, sigma: number): Promise<RgbImage> {
  const { data, info } = await sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.length), {
    raw: { width: image.width, height: image.height, channels: 3 },
  })
    .blur(sigma)
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}
