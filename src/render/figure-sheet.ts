/**
 * Saliency pictures as pixels (no I/O, no native code): the coloured heat map, the overlay (alpha scaled by
 * value, the part of the photo the model never saw dimmed), and a figure sheet — title, photo | heat map |
 * overlay side by side, and a colour bar with its numbers. Text is returned as SVG for the encoder to draw.
 */
import { colourTable, isDiverging, type ColormapName } from './colormaps.js';
import type { ScaledMap, SignMode } from './scaling.js';
import type { Size } from './geometry.js';

/** Interleaved 8-bit RGB pixels. */
export interface Pixels {
  width: number;
  height: number;
  data: Uint8Array;
}

export interface PictureStyle {
  colormap: ColormapName;
  /** Opacity of the overlay where the map is strongest (default 0.75); weaker values fade out. */
  alpha?: number;
  /** 1 where the model saw the photo; elsewhere the photo is dimmed and the heat map grey. */
  covered?: Uint8Array;
  /** How much colour the photo loses under the overlay (0 none, 1 grey; default 0.7), so the map's colours stand out. */
  desaturate?: number;
}

const OUTSIDE_GREY = 96;
const DIM = 0.35;

/** Table index of a display value: [0, 1] on sequential maps, [−1, 1] centred on diverging ones. */
function tableIndex(v: number, diverging: boolean): number {
  const t = diverging ? (v + 1) / 2 : v;
  return Math.max(0, Math.min(255, Math.round(t * 255)));
}

/** The map alone in colour. */
export function heatmapPixels(scaled: ScaledMap, size: Size, style: PictureStyle): Pixels {
  const table = colourTable(style.colormap);
  const diverging = isDiverging(style.colormap);
  const data = new Uint8Array(size.width * size.height * 3);
  for (let p = 0; p < size.width * size.height; p++) {
    if (style.covered && !style.covered[p]) {
      data.fill(OUTSIDE_GREY, p * 3, p * 3 + 3);
      continue;
    }
    const k = tableIndex(scaled.values[p]!, diverging) * 3;
    data[p * 3] = table[k]!;
    data[p * 3 + 1] = table[k + 1]!;
    data[p * 3 + 2] = table[k + 2]!;
  }
  return { ...size, data };
}

/** The map blended over the photo: opacity grows with |value|, so weak attributions leave the photo readable. */
export function overlayPixels(photo: Pixels, scaled: ScaledMap, style: PictureStyle): Pixels {
  const table = colourTable(style.colormap);
  const diverging = isDiverging(style.colormap);
  const alpha = style.alpha ?? 0.75;
  const desaturate = style.desaturate ?? 0.7;
  const n = photo.width * photo.height;
  const data = new Uint8Array(n * 3);
  for (let p = 0; p < n; p++) {
    const grey = 0.299 * photo.data[p * 3]! + 0.587 * photo.data[p * 3 + 1]! + 0.114 * photo.data[p * 3 + 2]!;
    const outside = style.covered !== undefined && !style.covered[p];
    const v = outside ? 0 : scaled.values[p]!;
    const a = alpha * Math.min(1, Math.abs(v));
    const k = tableIndex(v, diverging) * 3;
    for (let c = 0; c < 3; c++) {
      const base = photo.data[p * 3 + c]! * (1 - desaturate) + grey * desaturate;
      data[p * 3 + c] = outside ? base * DIM : base * (1 - a) + table[k + c]! * a;
    }
  }
  return { width: photo.width, height: photo.height, data };
}

/** A vertical colour bar, top = largest value. */
export function colourBarPixels(width: number, height: number, colormap: ColormapName, signed: boolean): Pixels {
  const table = colourTable(colormap);
  const diverging = isDiverging(colormap);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const t = 1 - y / Math.max(1, height - 1);
    const v = signed ? 2 * t - 1 : t;
    const k = tableIndex(v, diverging) * 3;
    for (let x = 0; x < width; x++) data.set(table.subarray(k, k + 3), (y * width + x) * 3);
  }
  return { width, height, data };
}

/** Short numbers for the colour bar: 3 significant digits, exponent form when very small or large. */
export function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e-2 && a < 1e4 ? String(Number(v.toPrecision(3))) : v.toExponential(1);
}

export interface SheetText {
  /** e.g. "tabby cat [281] 87.3 % — ig × blockwise, 1000 queries". */
  title: string;
  /** e.g. "sign absolute · clip 99th percentile". */
  subtitle?: string;
  /** Labels under the three panels. */
  panels?: [string, string, string];
}

export interface Sheet {
  pixels: Pixels;
  /** Text to draw over the pixels (same size), as an SVG document. */
  svg: string;
}

const M = 14; // margin and gap
const TITLE = 50;
const LABEL = 22;
const BAR = 16;
const TICKS = 78;

export function blit(dst: Pixels, src: Pixels, left: number, top: number): void {
  for (let y = 0; y < src.height; y++) {
    dst.data.set(src.data.subarray(y * src.width * 3, (y + 1) * src.width * 3), ((top + y) * dst.width + left) * 3);
  }
}

export const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Lay out the figure sheet: photo, heat map and overlay (all `photo`'s size), colour bar with numbers, title. */
export function figureSheet(photo: Pixels, scaled: ScaledMap, style: PictureStyle, text: SheetText): Sheet {
  const { width: pw, height: ph } = photo;
  const width = M + 3 * pw + 2 * M + M + BAR + TICKS;
  const height = TITLE + ph + LABEL + M;
  const pixels: Pixels = { width, height, data: new Uint8Array(width * height * 3).fill(255) };
  const signed = scaled.sign === 'all';
  blit(pixels, photo, M, TITLE);
  blit(pixels, heatmapPixels(scaled, photo, style), M + pw + M, TITLE);
  blit(pixels, overlayPixels(photo, scaled, style), M + 2 * (pw + M), TITLE);
  const barLeft = M + 3 * pw + 2 * M + M;
  blit(pixels, colourBarPixels(BAR, ph, style.colormap, signed), barLeft, TITLE);

  const tickText = colourBarTicks(scaled, barLeft + BAR, TITLE, ph);
  const panels = text.panels ?? ['photo', 'heat map', 'overlay'];
  const panelText = panels.map((label, i) =>
    `<text x="${M + i * (pw + M) + pw / 2}" y="${TITLE + ph + 16}" font-size="12" text-anchor="middle">${escapeXml(label)}</text>`);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, Arial, sans-serif" fill="#222">` +
    `<text x="${M}" y="21" font-size="15" font-weight="bold">${escapeXml(text.title)}</text>` +
    (text.subtitle ? `<text x="${M}" y="40" font-size="11" fill="#555">${escapeXml(text.subtitle)}</text>` : '') +
    `<rect x="${barLeft - 0.5}" y="${TITLE - 0.5}" width="${BAR + 1}" height="${ph + 1}" fill="none" stroke="#333"/>` +
    tickText + panelText.join('') + '</svg>';
  return { pixels, svg };
}

/** SVG tick marks and numbers beside a colour bar whose right edge is at `x`, spanning `top` .. `top + height`. */
export function colourBarTicks(scaled: ScaledMap, x: number, top: number, height: number): string {
  const signed = scaled.sign === 'all';
  const ticks = signed ? [1, 0.5, 0, -0.5, -1] : [1, 0.75, 0.5, 0.25, 0];
  return ticks.map((t) => {
    const y = top + (signed ? (1 - t) / 2 : 1 - t) * (height - 1);
    // Negative-only maps are shown as magnitudes; their numbers keep the sign of the raw map.
    const magnitude = signed ? t * scaled.scale : scaled.floor + t * (scaled.scale - scaled.floor);
    const value = scaled.sign === 'negative' ? -magnitude : magnitude;
    const label = (t === 1 || t === -1) && value !== 0 ? `${value < 0 ? '≤ ' : '≥ '}${formatTick(value)}` : formatTick(value);
    return `<line x1="${x}" x2="${x + 4}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#333"/>` +
      `<text x="${x + 7}" y="${(y + 4).toFixed(1)}" font-size="11">${escapeXml(label)}</text>`;
  }).join('');
}

/** A one-line description of how the map is shown, for the sheet's subtitle. */
export function displayNote(sign: SignMode, clip: number, smooth: number, colormap: ColormapName): string {
  const parts = [`sign ${sign}`, `clipped at the ${clip}th percentile of |map|`, `colour map ${colormap}`];
  if (smooth > 0) parts.push(`display smoothing σ = ${smooth} px (raw map unsmoothed)`);
  return parts.join(' · ');
}
