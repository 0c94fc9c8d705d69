/**
 * A map as an 8-bit grey PNG: |map| scaled to 0..255, saturating at the 99th percentile (as the overlays do).
 * Previews travel in this form so the page can colour them with the user's colour map and opacity.
 */
import sharp from 'sharp';
import { normaliseMap } from '../../render/colormap.js';

export async function renderGreyMap(width: number, height: number, map: Float32Array): Promise<Buffer> {
  const t = normaliseMap(map.map(Math.abs), 99);
  const grey = Buffer.alloc(width * height);
  for (let p = 0; p < t.length; p++) grey[p] = Math.round(t[p]! * 255);
  return sharp(grey, { raw: { width, height, channels: 1 } }).png().toBuffer();
}
