/** Heatmap overlays: the map in colour, blended over the (cropped) image the model saw. */
import sharp from 'sharp';
import type { RgbImage } from '../io/image.js';
import { blendOverlay, type BlendOptions } from './blend.js';
import { inferno, normaliseMap } from './colormap.js';

export type { BlendOptions as OverlayOptions } from './blend.js';

/** Blend `map` (H·W, any sign: magnitudes are shown) over `image`; returns a PNG. */
export async function renderOverlay(image: RgbImage, map: Float32Array, options: BlendOptions = {}): Promise<Buffer> {
  const out = blendOverlay(image.data, map, options);
  return sharp(out, { raw: { width: image.width, height: image.height, channels: 3 } }).png().toBuffer();
}

/** The map alone, in colour (PNG). */
export async function renderHeatmap(width: number, height: number, map: Float32Array, percentile = 99): Promise<Buffer> {
  const t = normaliseMap(map.map(Math.abs), percentile);
  const out = Buffer.alloc(width * height * 3);
  for (let p = 0; p < t.length; p++) out.set(inferno(t[p]!).map(Math.round), p * 3);
  return sharp(out, { raw: { width, height, channels: 3 } }).png().toBuffer();
}
