/**
 * What an IG baseline is, parsed from one string (issue 17's sweep; `--ig-baseline`):
 *   black            the preprocessing's black
 *   blur             the photo blurred with σ = (longer side)/20 px (the default: docs/ig-baseline.md)
 *   blur:<σ>         the photo blurred with σ px (at the model-input resolution), e.g. blur:8
 *   mean             the photo's mean colour (per channel) everywhere
 *   expected:blur:<σ1>,<σ2>,…
 *                    the expectation over several blurred baselines (expected-gradients style): the map is the
 *                    mean of one IG map per baseline, the budget split evenly over them (expected-baselines.ts)
 *   anything else    an image file, used as the baseline
 * Pure: no I/O (the image is read where the baseline is built).
 */
import { invalidArgument } from '../core/errors.js';

export type IgBaselineSpec =
  | { kind: 'black' }
  | { kind: 'blur'; sigma?: number }
  | { kind: 'mean' }
  | { kind: 'image'; path: string }
  | { kind: 'expected'; baselines: Array<{ kind: 'blur'; sigma: number }> };

/** Blur σ accepted, in pixels: the range of the blur used (sharp's: 0.3 … 1000). */
export const MIN_BLUR_SIGMA = 0.3;
export const MAX_BLUR_SIGMA = 1000;
/** Most baselines one expectation may average (each gets its own share of the budget). */
export const MAX_EXPECTED_BASELINES = 32;

const USAGE = 'black, blur, blur:<σ px>, mean, expected:blur:<σ1>,<σ2>,… or an image path';

export function parseIgBaseline(text: string): IgBaselineSpec {
  if (typeof text !== 'string' || text.trim() === '') throw invalidArgument(`igBaseline must be ${USAGE}, got ${JSON.stringify(text)}`);
  if (text === 'black' || text === 'mean') return { kind: text };
  if (text === 'blur') return { kind: 'blur' };
  if (text.startsWith('blur:')) return { kind: 'blur', sigma: blurSigma(text.slice(5), text) };
  if (text.startsWith('expected:')) {
    const rest = text.slice('expected:'.length);
    if (!rest.startsWith('blur:')) throw invalidArgument(`igBaseline "${text}": an expectation is over blurs, e.g. expected:blur:1,2,4,8,16`);
    const sigmas = rest.slice(5).split(',').map((s) => blurSigma(s, text));
    if (sigmas.length > MAX_EXPECTED_BASELINES) throw invalidArgument(`igBaseline "${text}": at most ${MAX_EXPECTED_BASELINES} baselines, got ${sigmas.length}`);
    return { kind: 'expected', baselines: sigmas.map((sigma) => ({ kind: 'blur', sigma })) };
  }
  return { kind: 'image', path: text };
}

function blurSigma(s: string, whole: string): number {
  const sigma = s.trim() === '' ? NaN : Number(s);
  if (!(Number.isFinite(sigma) && sigma >= MIN_BLUR_SIGMA && sigma <= MAX_BLUR_SIGMA)) {
    throw invalidArgument(`igBaseline "${whole}": blur σ must be a number of pixels in [${MIN_BLUR_SIGMA}, ${MAX_BLUR_SIGMA}], got "${s}"`);
  }
  return sigma;
}

/** How many IG maps the baseline asks for (the budget is split over them). */
export function baselineCount(spec: IgBaselineSpec): number {
  return spec.kind === 'expected' ? spec.baselines.length : 1;
}

