/**
 * What `lrsal explain` writes: the overlay on the whole photo, the figure sheet, the raw map at the photo's
 * full size (`.npy`) and at the model's input size (`.model.npy`). Display flags (sign, clip, colour map,
 * smoothing) change only the pictures.
 */
import { basename, extname, join } from 'node:path';
import { writeAllOrNone } from './outputs.js';
import { Option, type Command } from 'commander';
import { invalidArgument } from '../core/errors.js';
import { encodePng, type RgbImage } from '../io/image.js';
import { COLORMAPS, type ColormapName } from '../render/colormaps.js';
import { FITS, identityGeometry, mapToOriginal, type ImageGeometry } from '../render/geometry.js';
import { encodeNpy } from '../render/npy.js';
import { renderClassSheetPng, renderFigureSheetPng, renderOverlayPng, type DisplayOptions } from '../render/pictures.js';
import { SIGNS, type SignMode } from '../render/scaling.js';
import { positiveNumber } from './parse.js';

export interface PictureFlags {
  sheet?: string | boolean;
  sign?: SignMode;
  clip?: number;
  colormap?: ColormapName;
  displaySmooth?: number;
  fit?: 'crop' | 'pad';
}

export function addPictureOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--fit <how>', 'crop: centre crop as the model was trained (border shown dimmed); pad: letterbox, the model sees all of the photo').choices(FITS))
    .option('--sheet <file.png>', 'figure sheet (photo | heat map | overlay, colour bar, title); default <out>.sheet.png')
    .option('--no-sheet', 'no figure sheet')
    .addOption(new Option('--sign <part>', 'what the pictures show: absolute, positive, negative or all (signed, diverging colours; implies --reduction sum)').choices(SIGNS))
    .option('--clip <percentile>', 'percentile of |map| shown as full colour (outliers clipped)', clipPercentile, 99)
    .addOption(new Option('--colormap <name>', 'colour map (default inferno; coolwarm for --sign all)').choices(COLORMAPS))
    .option('--display-smooth <px>', 'Gaussian smoothing of the pictures only, σ in model pixels (the .npy stays raw)', nonNegative);
}

function clipPercentile(value: string): number {
  const v = positiveNumber('--clip')(value);
  if (v > 100) throw invalidArgument(`--clip must be a percentile in (0, 100], got ${value}`);
  return v;
}

function nonNegative(value: string): number {
  const v = Number(value);
  if (!Number.isFinite(v) || v < 0) throw invalidArgument(`--display-smooth must be a number ≥ 0, got ${value}`);
  return v;
}

/** The reduction a --sign needs: signed parts exist only in the plain channel sum. */
export function reductionForSign(sign: SignMode | undefined, reduction: string, reductionGiven: boolean): string {
  if (!sign || sign === 'absolute' || reduction === 'sum') return reduction;
  if (reductionGiven) throw invalidArgument(`--sign ${sign} needs a signed map: use --reduction sum (got ${reduction})`);
  return 'sum';
}

export interface PictureInputs {
  imagePath: string;
  /** The pixels the model saw and the model-resolution map. */
  image: RgbImage;
  map: Float32Array;
  /** Where the model's input sits on the photo; without it the pictures show the model's input only. */
  geometry?: ImageGeometry;
  title: string;
}

export interface PicturePaths {
  overlay: string;
  map: string;
  modelMap: string;
  sheet?: string;
}

/** Where each output goes (known before any query, so every path can be checked first). */
export function picturePaths(imagePath: string, out: string | undefined, tag: string, flags: PictureFlags): PicturePaths {
  const overlay = out ?? join('out', `${basename(imagePath, extname(imagePath))}.${tag}.png`);
  const stem = overlay.replace(/\.png$/i, '');
  const sheet = flags.sheet === false ? undefined : typeof flags.sheet === 'string' ? flags.sheet : stem + '.sheet.png';
  return { overlay, map: stem + '.npy', modelMap: stem + '.model.npy', ...(sheet ? { sheet } : {}) };
}

/** Overlay, raw maps (photo and model resolution) and figure sheet: rendered first, then written all or none. */
export async function writePictureOutputs(paths: PicturePaths, inputs: PictureInputs, flags: PictureFlags) {
  const { image, map } = inputs;
  const geometry = inputs.geometry ?? identityGeometry({ width: image.width, height: image.height });
  const photo = inputs.geometry ? inputs.imagePath : await encodePng(image);
  const display = displayOptions(flags);
  const source = { photo, geometry, map };
  const full = mapToOriginal(map, geometry);
  await writeAllOrNone([
    { path: paths.overlay, data: await renderOverlayPng(source, display) },
    { path: paths.map, data: encodeNpy(full, [geometry.original.height, geometry.original.width]) },
    { path: paths.modelMap, data: encodeNpy(map, [image.height, image.width]) },
    ...(paths.sheet ? [{ path: paths.sheet, data: await renderFigureSheetPng(source, { title: inputs.title }, display) }] : []),
  ]);
  return {
    ...paths,
    mapShape: [geometry.original.height, geometry.original.width],
    modelMapShape: [image.height, image.width],
    fit: geometry.fit,
  };
}

function displayOptions(flags: PictureFlags): DisplayOptions {
  return {
    ...(flags.sign ? { sign: flags.sign } : {}),
    ...(flags.clip !== undefined ? { clip: flags.clip } : {}),
    ...(flags.colormap ? { colormap: flags.colormap } : {}),
    ...(flags.displaySmooth !== undefined ? { smooth: flags.displaySmooth } : {}),
  };
}

// ---- Several classes (--top-k, several --target): one sheet with every class on one colour scale ----

export interface ClassSheetInputs {
  imagePath: string;
  image: RgbImage;
  geometry?: ImageGeometry;
  title: string;
  note?: string;
  /** Each class's model-resolution map and panel title ("tabby [281] 41.2 %"), in order. */
  classes: Array<{ map: Float32Array; title: string }>;
}

/** The K-class figure sheet (render/class-sheet.ts), written to `path`. */
export async function writeClassSheet(path: string, inputs: ClassSheetInputs, flags: PictureFlags): Promise<string> {
  const { image } = inputs;
  const geometry = inputs.geometry ?? identityGeometry({ width: image.width, height: image.height });
  const photo = inputs.geometry ? inputs.imagePath : await encodePng(image);
  const png = await renderClassSheetPng({ photo, geometry, classes: inputs.classes }, { title: inputs.title, ...(inputs.note ? { note: inputs.note } : {}) }, displayOptions(flags));
  await writeAllOrNone([{ path, data: png }]);
  return path;
}
