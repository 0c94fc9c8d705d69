/**
 * The K-class figure sheet (top-k or several targets): the photo once, then one overlay per class, each titled
 * with the class and its probability, all on ONE colour scale (one colour bar) so that the panels can be
 * compared: a class whose map is weaker looks weaker. Pixels only; the text is SVG for the encoder to draw.
 */
import { blit, colourBarPixels, colourBarTicks, escapeXml, overlayPixels, type Pixels, type PictureStyle, type Sheet } from './figure-sheet.js';
import { displayRange, type ScaledMap, type SignMode } from './scaling.js';

export interface ClassPanel {
  /** This class's map on the sheet's shared scale, at the photo's panel size. */
  scaled: ScaledMap;
  /** e.g. "tabby [281] 41.2 %". */
  title: string;
}

export interface ClassSheetText {
  title: string;
  subtitle?: string;
  /** Under the panels, e.g. what the classes after the first are (focused top-k). */
  note?: string;
}

/** Where each part of the sheet is (pixels), for drawing and for tests. */
export interface ClassSheetLayout {
  width: number;
  height: number;
  columns: number;
  rows: number;
  /** Top-left corner of each picture: the photo first, then the classes in order. */
  panels: Array<{ left: number; top: number }>;
  bar: { left: number; top: number; height: number };
}

const M = 14; // margin and gap
const TITLE = 50;
const PANEL_TITLE = 20;
const NOTE = 18;
const BAR = 16;
const TICKS = 78;
/** Average width of a character of the panel titles (12 px DejaVu Sans), to shorten titles that would not fit. */
const CHAR = 7;

/** Pictures per row: all in one row up to 4 (photo + 3 classes), else a near-square grid. */
export function sheetColumns(pictures: number): number {
  return pictures <= 4 ? pictures : Math.ceil(Math.sqrt(pictures));
}

export function classSheetLayout(panel: { width: number; height: number }, classes: number, withNote = false): ClassSheetLayout {
  const pictures = classes + 1;
  const columns = sheetColumns(pictures);
  const rows = Math.ceil(pictures / columns);
  const { width: pw, height: ph } = panel;
  const gridWidth = columns * pw + (columns - 1) * M;
  const gridHeight = rows * (PANEL_TITLE + ph) + (rows - 1) * M;
  const panels = Array.from({ length: pictures }, (_, i) => ({
    left: M + (i % columns) * (pw + M),
    top: TITLE + Math.floor(i / columns) * (PANEL_TITLE + ph + M) + PANEL_TITLE,
  }));
  return {
    width: M + gridWidth + M + BAR + TICKS,
    height: TITLE + gridHeight + (withNote ? NOTE : 0) + M,
    columns,
    rows,
    panels,
    bar: { left: M + gridWidth + M, top: TITLE + PANEL_TITLE, height: gridHeight - PANEL_TITLE },
  };
}

/** One display range for every class's map: the clip percentile of all of them together. */
export function sharedDisplayRange(maps: readonly Float32Array[], sign: SignMode, clip: number): { scale: number; floor: number } {
  const all = new Float32Array(maps.reduce((n, m) => n + m.length, 0));
  let offset = 0;
  for (const m of maps) {
    all.set(m, offset);
    offset += m.length;
  }
  return displayRange(all, sign, clip);
}

/** A title cut to about `width` pixels, with an ellipsis. */
export function fitTitle(title: string, width: number): string {
  const max = Math.max(4, Math.floor(width / CHAR));
  return title.length <= max ? title : title.slice(0, max - 1).trimEnd() + '…';
}

/** Lay out the sheet: photo, then each class's overlay (all the photo's size), one colour bar, titles. */
export function classSheet(photo: Pixels, panels: readonly ClassPanel[], style: PictureStyle, text: ClassSheetText): Sheet & { layout: ClassSheetLayout } {
  if (panels.length === 0) throw new RangeError('a class sheet needs at least one class');
  const layout = classSheetLayout(photo, panels.length, text.note !== undefined);
  const pixels: Pixels = { width: layout.width, height: layout.height, data: new Uint8Array(layout.width * layout.height * 3).fill(255) };
  const [first, ...rest] = layout.panels;
  blit(pixels, photo, first!.left, first!.top);
  panels.forEach((p, k) => blit(pixels, overlayPixels(photo, p.scaled, style), rest[k]!.left, rest[k]!.top));
  const scaled = panels[0]!.scaled;
  const { bar } = layout;
  blit(pixels, colourBarPixels(BAR, bar.height, style.colormap, scaled.sign === 'all'), bar.left, bar.top);

  const titles = ['photo', ...panels.map((p) => p.title)].map((t, i) => {
    const at = layout.panels[i]!;
    return `<text x="${at.left + photo.width / 2}" y="${at.top - 6}" font-size="12" text-anchor="middle"${i === 0 ? ' fill="#555"' : ''}>${escapeXml(fitTitle(t, photo.width))}</text>`;
  });
  const noteY = bar.top + bar.height + 15;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${layout.width}" height="${layout.height}" font-family="DejaVu Sans, Arial, sans-serif" fill="#222">` +
    `<text x="${M}" y="21" font-size="15" font-weight="bold">${escapeXml(text.title)}</text>` +
    (text.subtitle ? `<text x="${M}" y="40" font-size="11" fill="#555">${escapeXml(text.subtitle)}</text>` : '') +
    `<rect x="${bar.left - 0.5}" y="${bar.top - 0.5}" width="${BAR + 1}" height="${bar.height + 1}" fill="none" stroke="#333"/>` +
    colourBarTicks(scaled, bar.left + BAR, bar.top, bar.height) + titles.join('') +
    (text.note ? `<text x="${M}" y="${noteY}" font-size="11" fill="#555">${escapeXml(text.note)}</text>` : '') +
    '</svg>';
  return { pixels, svg, layout };
}
