/**
 * Maps every deletion/insertion table shows beside the methods, so a score can be read against what needs
 * no model at all: a random order (on centred photos it does well on deletion), a centred Gaussian prior
 * (strong on insertion: objects sit in the middle) and the blur difference Σ_c |x − blur(x)| (edges and
 * texture, i.e. what the deletion/insertion fills destroy first).
 */
import { Rng } from '../core/rng.js';

export const REFERENCE_MAPS = ['random', 'centre-prior', 'blur-difference'] as const;
export type ReferenceMapName = (typeof REFERENCE_MAPS)[number];

/** Uniform noise: a random pixel order, reproducible from the seed. */
export function randomMap(height: number, width: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: height * width }, () => rng.nextFloat());
}

/** exp(−r²/2σ²) around the centre, σ = `sigmaFraction` of the shorter side (default 1/4). */
export function centrePriorMap(height: number, width: number, sigmaFraction = 0.25): Float32Array {
  const sigma = sigmaFraction * Math.min(height, width);
  const cy = (height - 1) / 2;
  const cx = (width - 1) / 2;
  const out = new Float32Array(height * width);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) out[y * width + x] = Math.exp(-((y - cy) ** 2 + (x - cx) ** 2) / (2 * sigma * sigma));
  }
  return out;
}

/** Σ over colour channels of |x − blur(x)|, from interleaved 8-bit RGB pixels of the same size. */
export function blurDifferenceMap(pixels: ArrayLike<number>, blurred: ArrayLike<number>): Float32Array {
  const out = new Float32Array(pixels.length / 3);
  for (let p = 0; p < out.length; p++) {
    out[p] = Math.abs(pixels[p * 3]! - blurred[p * 3]!) + Math.abs(pixels[p * 3 + 1]! - blurred[p * 3 + 1]!) + Math.abs(pixels[p * 3 + 2]! - blurred[p * 3 + 2]!);
  }
  return out;
}
