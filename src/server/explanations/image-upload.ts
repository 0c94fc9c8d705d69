/**
 * Uploaded images are judged by their bytes, never by the file name or the Content-Type header: the magic
 * number must say JPEG, PNG or WebP, sharp must read the header, and the pixel count must be within the limit
 * (checked before decoding, against decompression bombs).
 */
import sharp from 'sharp';
import { HttpError } from './http-errors.js';

export type ImageFormat = 'jpeg' | 'png' | 'webp';

export function sniffFormat(bytes: Buffer): ImageFormat | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  return undefined;
}

export async function checkImage(bytes: Buffer, maxPixels: number): Promise<{ format: ImageFormat; width: number; height: number }> {
  const format = sniffFormat(bytes);
  if (!format) throw new HttpError(415, 'not an image: the content is not JPEG, PNG or WebP');
  let meta;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    throw new HttpError(415, `not a readable ${format.toUpperCase()} image`);
  }
  if (meta.format !== format || !meta.width || !meta.height) throw new HttpError(415, `not a readable ${format.toUpperCase()} image`);
  if (meta.width * meta.height > maxPixels) {
    throw new HttpError(413, `image has ${meta.width}×${meta.height} pixels; the limit is ${(maxPixels / 1e6).toFixed(1)} megapixels`);
  }
  return { format, width: meta.width, height: meta.height };
}
