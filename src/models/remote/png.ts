/** Model inputs (CHW float 0..255) ⇄ 8-bit RGB pixels ⇄ lossless PNG, so a remote model sees exact pixels. */
import sharp from 'sharp';
import { LrsalError } from '../../core/errors.js';
import { formatShape, sizeOf, type Shape } from '../../core/tensor.js';
import type { RgbImage } from '../../io/image.js';

/** Round and clamp one CHW input (0..255 floats) into interleaved 8-bit RGB. */
export function chwToRgb(input: Float32Array, shape: Shape): RgbImage {
  const { height, width } = shape;
  const plane = height * width;
  const data = new Uint8Array(plane * 3);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < plane; i++) {
      const v = Math.round(input[c * plane + i]!);
      if (!Number.isFinite(v)) throw new LrsalError('INVALID_ARGUMENT', `an input has a non-finite value (${v}) at position ${c * plane + i}; nothing was sent`);
      data[i * 3 + c] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return { width, height, data };
}

/** Interleaved 8-bit RGB → one CHW input of 0..255 floats (the inverse of chwToRgb). */
export function rgbToChw(image: RgbImage): Float32Array {
  const plane = image.width * image.height;
  const out = new Float32Array(plane * 3);
  for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) out[c * plane + i] = image.data[i * 3 + c]!;
  return out;
}

/** PNG-encode each of `count` CHW inputs laid out back to back. */
export async function inputsToPngs(inputs: Float32Array, count: number, shape: Shape): Promise<Buffer[]> {
  const size = sizeOf(shape);
  if (inputs.length !== count * size) {
    throw new LrsalError('MODEL_SHAPE', `expected ${count} inputs of ${formatShape(shape)} (${count * size} values), got ${inputs.length}`);
  }
  return Promise.all(Array.from({ length: count }, (_, i) => encodeRgbPng(chwToRgb(inputs.subarray(i * size, (i + 1) * size), shape))));
}

async function encodeRgbPng(image: RgbImage): Promise<Buffer> {
  // compressionLevel 6: the default 9 is several times slower for a few % smaller bodies.
  return sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.length), {
    raw: { width: image.width, height: image.height, channels: 3 },
  })
    .png({ compressionLevel: 6 })
    .toBuffer();
}
