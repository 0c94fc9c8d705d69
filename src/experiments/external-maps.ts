/**
 * Saliency maps made by any other tool, for `lrsal eval --maps DIR`: `DIR/<image file stem>.npy`, float32
 * (or float64: numpy's default) H×W, at the photo's original size or at the model's input size.
 */
import { access, readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { LrsalError } from '../core/errors.js';
import { mapToModel, type ImageGeometry } from '../render/geometry.js';
import { decodeNpy } from '../render/npy.js';

export function externalMapPath(dir: string, imageFile: string): string {
  return join(dir, `${basename(imageFile, extname(imageFile))}.npy`);
}

/** Fail before any query is spent if a map is missing. */
export async function checkExternalMaps(dir: string, imageFiles: readonly string[]): Promise<void> {
  for (const file of imageFiles) {
    const path = externalMapPath(dir, file);
    try {
      await access(path);
    } catch {
      throw new LrsalError('FILE_NOT_FOUND', `no map for ${file}: expected ${path}`);
    }
  }
}

/** Float32 or float64 little-endian .npy → Float32Array + shape. */
function decodeAnyFloatNpy(buffer: Buffer, path: string): { data: Float32Array; shape: number[] } {
  if (buffer.toString('latin1', 0, 6) !== '\x93NUMPY') throw new LrsalError('INVALID_ARGUMENT', `${path}: not an .npy file`);
  const header = buffer.toString('latin1', 10, 10 + buffer.readUInt16LE(8));
  if (/'descr':\s*'<f8'/.test(header)) {
    const len = buffer.readUInt16LE(8);
    const shape = (/'shape': \(([^)]*)\)/.exec(header)?.[1] ?? '').split(',').map((s) => s.trim()).filter(Boolean).map(Number);
    if (/'fortran_order':\s*True/.test(header)) throw new LrsalError('INVALID_ARGUMENT', `${path}: Fortran-order arrays are not supported`);
    const bytes = buffer.subarray(10 + len);
    const f64 = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    return { data: Float32Array.from(f64), shape };
  }
  try {
    return decodeNpy(buffer);
  } catch (error) {
    throw new LrsalError('INVALID_ARGUMENT', `${path}: ${(error as Error).message} (float32 or float64 expected)`);
  }
}

/**
 * The map of one image at the model's input size: a map at the photo's size is resampled through the crop
 * geometry (when the photo is the model's size too, it is taken as a map of the photo).
 */
export async function readExternalMap(dir: string, imageFile: string, geometry: ImageGeometry): Promise<Float32Array> {
  const path = externalMapPath(dir, imageFile);
  const { data, shape } = decodeAnyFloatNpy(await readFile(path), path);
  const [h, w] = shape.length === 3 && shape[0] === 1 ? shape.slice(1) : shape;
  const { original, model } = geometry;
  if (shape.length > 3 || h === undefined || w === undefined) throw new LrsalError('INVALID_ARGUMENT', `${path}: expected an H×W map, got shape (${shape.join(', ')})`);
  const clean = data.map((v) => (Number.isFinite(v) ? v : 0));
  // A photo that is already the model's size is ambiguous: the map is taken as a map of the photo.
  if (h === original.height && w === original.width) return mapToModel(clean, geometry);
  if (h === model.height && w === model.width) return clean;
  throw new LrsalError('INVALID_ARGUMENT', `${path}: map is ${h}×${w}; expected the image's ${original.height}×${original.width} or the model's ${model.height}×${model.width}`);
}
