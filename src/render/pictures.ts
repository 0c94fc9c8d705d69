/**
 * The I/O edge of the pictures: decode the photo at display size, draw the overlay and the figure sheet
 * (pixels from figure-sheet.ts, text from its SVG) and encode PNGs with sharp. The raw maps are not touched:
 * smoothing, clipping and signs are for display only.
 */
import sharp from 'sharp';
import { loadImage } from '../io/image.js';
import { classSheet, sharedDisplayRange, type ClassSheetText } from './class-sheet.js';
import type { ColormapName } from './colormaps.js';
import { displayNote, figureSheet, overlayPixels, type Pixels, type SheetText } from './figure-sheet.js';
import { coverage, fitWithin, mapToOriginal, type ImageGeometry, type Size } from './geometry.js';
import { DEFAULT_CLIP_PERCENTILE, displayRange, scaleForDisplay, smoothForDisplay, type ScaledMap, type SignMode } from './scaling.js';

export interface DisplayOptions {
  sign?: SignMode;
  /** Percentile of |map| shown as full colour (default 99). */
  clip?: number;
  /** Default: coolwarm for sign 'all', inferno otherwise. */
  colormap?: ColormapName;
  /** Gaussian σ in model-input pixels, display only (default 0: none). */
  smooth?: number;
  /** Overlay opacity where the map is strongest (default 0.75). */
  alpha?: number;
  /** Longest side of the overlay PNG (default 1024; the photo is never enlarged). */
  maxSide?: number;
  /** Longest side of each panel of the figure sheet (default 512; small photos are enlarged to 256). */
  panelSide?: number;
  /** Fixed value shown as full colour (comparable pictures across images); default the clip percentile. */
  scale?: number;
}

export const DISPLAY_DEFAULTS = { sign: 'absolute' as SignMode, clip: DEFAULT_CLIP_PERCENTILE, smooth: 0, alpha: 0.75, maxSide: 1024, panelSide: 512 };

export function defaultColormap(sign: SignMode): ColormapName {
  return sign === 'all' ? 'coolwarm' : 'inferno';
}

/** Everything a picture needs: the map at model resolution, where the model's input sits on the photo. */
export interface PictureSource {
  photo: string | Buffer;
  geometry: ImageGeometry;
  /** Model-resolution H×W map (raw, un-normalised). */
  map: Float32Array;
}

interface Prepared {
  photo: Pixels;
  scaled: ScaledMap;
  colormap: ColormapName;
  covered: Uint8Array;
  options: Required<Omit<DisplayOptions, 'colormap' | 'scale'>>;
}

async function prepare(source: PictureSource, size: Size, o: DisplayOptions, shared?: { scale: number; floor: number }): Promise<Prepared> {
  const options = { ...DISPLAY_DEFAULTS, ...o };
  const colormap = o.colormap ?? defaultColormap(options.sign);
  const { width: mw, height: mh } = source.geometry.model;
  const smoothed = smoothForDisplay(source.map, mh, mw, options.smooth);
  // The range comes from the model-resolution map, so it does not depend on the display size.
  const range = shared ?? (o.scale !== undefined ? { scale: o.scale, floor: 0 } : displayRange(smoothed, options.sign, options.clip));
  // Shown smaller than the model saw it: low-pass first (σ = half a display pixel), or fine detail aliases.
  const step = source.geometry.original.width / size.width / source.geometry.scaleX;
  const shown = step > 1 ? smoothForDisplay(smoothed, mh, mw, step / 2) : smoothed;
  const scaled = scaleForDisplay(mapToOriginal(shown, source.geometry, size), options.sign, options.clip, range);
  const image = await loadImage(source.photo, { size });
  return { photo: image as Pixels, scaled, colormap, covered: coverage(source.geometry, size), options };
}

async function encode(p: Pixels, svg?: string): Promise<Buffer> {
  let s = sharp(Buffer.from(p.data.buffer, p.data.byteOffset, p.data.length), { raw: { width: p.width, height: p.height, channels: 3 } });
  if (svg) s = s.composite([{ input: Buffer.from(svg), top: 0, left: 0 }]);
  return s.png().toBuffer();
}

/** The overlay on the whole photo at its own aspect (longest side ≤ maxSide), as PNG. */
export async function renderOverlayPng(source: PictureSource, o: DisplayOptions = {}): Promise<Buffer> {
  const size = fitWithin(source.geometry.original, o.maxSide ?? DISPLAY_DEFAULTS.maxSide);
  const p = await prepare(source, size, o);
  return encode(overlayPixels(p.photo, p.scaled, { colormap: p.colormap, alpha: p.options.alpha, covered: p.covered }));
}

/** Panel size: the photo's aspect, longest side `panelSide`, small photos enlarged to at least 256. */
function panelSize(original: Size, panelSide: number): Size {
  const longest = Math.max(original.width, original.height);
  const side = Math.min(panelSide, Math.max(256, longest));
  const s = side / longest;
  return { width: Math.max(1, Math.round(original.width * s)), height: Math.max(1, Math.round(original.height * s)) };
}

/** Figure sheet: photo | heat map | overlay, colour bar with the scale, title; PNG. */
export async function renderFigureSheetPng(source: PictureSource, text: SheetText, o: DisplayOptions = {}): Promise<Buffer> {
  const size = panelSize(source.geometry.original, o.panelSide ?? DISPLAY_DEFAULTS.panelSide);
  const p = await prepare(source, size, o);
  const subtitle = text.subtitle ?? displayNote(p.options.sign, p.options.clip, p.options.smooth, p.colormap);
  const sheet = figureSheet(p.photo, p.scaled, { colormap: p.colormap, alpha: p.options.alpha, covered: p.covered }, { ...text, subtitle });
  return encode(sheet.pixels, sheet.svg);
}

// ---- Several classes on one sheet (top-k / several targets): class-sheet.ts ----

/** The K-class sheet's panels are smaller than a one-class sheet's, so that five classes fit a screen. */
const CLASS_PANEL_SIDE = 360;

export interface ClassSheetSource {
  photo: string | Buffer;
  geometry: ImageGeometry;
  /** Each class's model-resolution map (raw), in the order shown, with its panel title. */
  classes: Array<{ map: Float32Array; title: string }>;
}

/** Photo once, then every class's overlay on one shared colour scale; PNG. */
export async function renderClassSheetPng(source: ClassSheetSource, text: ClassSheetText, o: DisplayOptions = {}): Promise<Buffer> {
  const options = { ...DISPLAY_DEFAULTS, ...o };
  const size = panelSize(source.geometry.original, Math.min(o.panelSide ?? CLASS_PANEL_SIDE, CLASS_PANEL_SIDE));
  const { width: mw, height: mh } = source.geometry.model;
  // One range for all classes, measured (like a single map's) on the smoothed model-resolution maps.
  const range = o.scale !== undefined
    ? { scale: o.scale, floor: 0 }
    : sharedDisplayRange(source.classes.map((c) => smoothForDisplay(c.map, mh, mw, options.smooth)), options.sign, options.clip);
  const prepared = [];
  for (const c of source.classes) prepared.push(await prepare({ photo: source.photo, geometry: source.geometry, map: c.map }, size, o, range));
  const p = prepared[0]!;
  const subtitle = text.subtitle ?? `${displayNote(p.options.sign, p.options.clip, p.options.smooth, p.colormap)} · one colour scale for all classes`;
  const sheet = classSheet(p.photo, prepared.map((q, k) => ({ scaled: q.scaled, title: source.classes[k]!.title })), { colormap: p.colormap, alpha: p.options.alpha, covered: p.covered }, { ...text, subtitle });
  return encode(sheet.pixels, sheet.svg);
}
