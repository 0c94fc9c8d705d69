/** The overlay's pixels, without encoding: shared by the PNG renderer (overlay.ts) and the browser page's canvas. */
import { inferno, normaliseMap } from './colormap.js';

export interface BlendOptions {
  /** Opacity of the heatmap where the map is strongest (default 0.6). */
  alpha?: number;
  /** Percentile at which the map saturates (default 99). */
  percentile?: number;
}

/** Interleaved RGB of `map` (H·W, any sign: magnitudes are shown) blended over RGB `pixels`. */
export function blendOverlay(pixels: ArrayLike<number>, map: Float32Array, options: BlendOptions = {}): Uint8Array {
  const alpha = options.alpha ?? 0.6;
  const t = normaliseMap(map.map(Math.abs), options.percentile ?? 99);
  const out = new Uint8Array(t.length * 3);
  for (let p = 0; p < t.length; p++) {
    const [r, g, b] = inferno(t[p]!);
    // Weak attributions stay transparent so the photo remains readable.
    const a = alpha * t[p]!;
    out[p * 3] = pixels[p * 3]! * (1 - a) + r * a;
    out[p * 3 + 1] = pixels[p * 3 + 1]! * (1 - a) + g * a;
    out[p * 3 + 2] = pixels[p * 3 + 2]! * (1 - a) + b * a;
  }
  return out;
}
