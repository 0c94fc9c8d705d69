/** Heatmap overlays: the map in colour, blended over the (cropped) image the model saw. */
import sharp from 'sharp';
import type { RgbImage } from '../io/image.js';
import { inferno, normaliseMap } from './colormap.js';

export interface OverlayOptions {
  /** Opacity of the heatmap where the map is strongest (default 0.6). */
  alpha?: number;
  /** Percentile at which the map saturates (default 99). */
  percentile?: number;
}

/** Blend `map` (H·W, any sign: magnitudes are shown) over `image`; returns a PNG. */
export async function renderOverlay(image: RgbImage, map: Float32Array, options: OverlayOptions = {}): Promise<Buffer> {
  const alpha = options.alpha ?? 0.6;
  const magnitudes = map.map(Math.abs);
  const t = normaliseMap(magnitudes, options.percentile ?? 99);
  const out = Buffer.alloc(image.width * image.height * 3);
  for (let p = 0; p < t.length; p++) {
    const [r, g, b] = inferno(t[p]!);
    // Weak attributions stay transparent so the photo remains readable.
    const a = alpha * t[p]!;
    out[p * 3] = image.data[p * 3]! * (1 - a) + r * a;
    out[p * 3 + 1] = image.data[p * 3 + 1]! * (1 - a) + g * a;
    out[p * 3 + 2] = image.data[p * 3 + 2]! * (1 - a) + b * a;
  }
  return sharp(out, { raw: { width: image.width, height: image.height, channels: 3 } }).png().toBuffer();
}

/** The map alone, in colour (PNG). */
export async function renderHeatmap(width: number, height: number, map: Float32Array, percentile = 99): Promise<Buffer> {
  const t = normaliseMap(map.map(Math.abs), percentile);
  const out = Buffer.alloc(width * height * 3);
  for (let p = 0; p < t.length; p++) out.set(inferno(t[p]!).map(Math.round), p * 3);
  return sharp(out, { raw: { width, height, channels: 3 } }).png().toBuffer();
}
