/**
 * `lrsal explain`'s second map: the per-pixel standard error of the map from the same queries
 * (methods/map-uncertainty.ts), written beside it as F.se.png (overlay; F.se.sheet.png with the colour bar's
 * scale when sheets are on) and F.se.npy / F.se.model.npy, and its signal-to-noise figure for the summary;
 * the --until-stable flag and summary line.
 */
import { invalidArgument } from '../core/errors.js';
import type { Explanation, StabilityReport } from '../explain/index.js';
import { writePictureOutputs, type PictureFlags, type PictureInputs, type PicturePaths } from './picture-outputs.js';

/** F.png → F.se.png, F.npy → F.se.npy, F.sheet.png → F.se.sheet.png. */
export function standardErrorPaths(paths: PicturePaths): PicturePaths {
  const tagged = (file: string) => file.replace(/(\.sheet\.png|\.model\.npy|\.png|\.npy)$/i, '.se$1');
  return { overlay: tagged(paths.overlay), map: tagged(paths.map), modelMap: tagged(paths.modelMap), ...(paths.sheet ? { sheet: tagged(paths.sheet) } : {}) };
}

/** Writes the SE pictures and maps when there is an SE; returns the JSON summary's `uncertainty` fields. */
export async function writeUncertaintyOutputs(paths: PicturePaths, one: Explanation, inputs: Omit<PictureInputs, 'map'>, flags: PictureFlags) {
  if (!one.uncertainty) return { uncertainty: null, uncertaintyReason: one.uncertaintyReason };
  // The SE is ≥ 0: shown as a magnitude whatever --sign says about the map.
  const { sign: _sign, ...display } = flags;
  const outputs = await writePictureOutputs(paths, { ...inputs, map: one.uncertainty.mapStandardError, title: `standard error of: ${inputs.title}` }, display);
  const { aboveTwoSe, topDecileMedian, chance } = one.uncertainty.signalToNoise;
  const finite = (v: number) => (Number.isFinite(v) ? round(v) : null);
  return {
    uncertainty: {
      signalToNoise: {
        aboveTwoSe: round(aboveTwoSe),
        topDecileMedian: finite(topDecileMedian),
        ...(chance ? { chance: { aboveTwoSe: round(chance.aboveTwoSe), topDecileMedian: finite(chance.topDecileMedian) } } : {}),
      },
      outputs: { overlay: outputs.overlay, map: outputs.map, modelMap: outputs.modelMap, ...(outputs.sheet ? { sheet: outputs.sheet } : {}) },
    },
  };
}

/** One line for the human summary. */
export function uncertaintyLine(u: Awaited<ReturnType<typeof writeUncertaintyOutputs>>): string {
  if (!u.uncertainty) return `no standard error: ${u.uncertaintyReason}`;
  const { aboveTwoSe, topDecileMedian, chance } = u.uncertainty.signalToNoise;
  const ratio = (v: number | null) => (v === null ? '∞' : v.toFixed(2));
  const byChance = (text: string) => (chance ? ` (pure noise: ${text})` : '');
  return (
    `signal to noise: ${(aboveTwoSe * 100).toFixed(1)} % of pixels above 2·SE${byChance(`${((chance?.aboveTwoSe ?? 0) * 100).toFixed(1)} %`)}, ` +
    `top-10 % pixels' median |map|/SE ${ratio(topDecileMedian)}${byChance(ratio(chance?.topDecileMedian ?? null))}; standard error map: ${u.uncertainty.outputs.overlay}`
  );
}

function round(v: number): number {
  return Number(v.toFixed(4));
}

/** `--until-stable [rho]`: a rank correlation in (0, 1]. */
export function stabilityFlag(value: string): number {
  const v = Number(value);
  if (!(v > 0 && v <= 1)) throw invalidArgument(`--until-stable must be a rank correlation in (0, 1], got ${value}`);
  return v;
}

export function stabilityLine(s: StabilityReport, queries: number): string {
  const last = s.correlation === null ? 'no checkpoint fitted in the budget' : `halves' rank correlation ${s.correlation.toFixed(3)}`;
  return s.stable ? `stable after ${queries} queries (${last} ≥ ${s.threshold})` : `not stable within the budget: used all ${queries} queries (${last} < ${s.threshold})`;
}
