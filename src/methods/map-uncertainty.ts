/**
 * The standard error of the map a person looks at, and one signal-to-noise figure for it.
 *
 * The map is a channel reduction h(a) of the attribution a at each pixel; to first order its error is
 * s·δa with s = ∂h/∂a: sign(a_c) for abs-sum, 1 for sum, and sign(a_c*) on the largest channel c* for
 * abs-max. So SE(map) = √(sᵀ V s) with V the pixel's channel covariance (standard-error.ts): with independent
 * channels that is √Σ_c se_c², with channel-shared noise (channels fully correlated) Σ_c se_c. The first-order
 * step is loose where |a_c| is within a standard error of 0 (abs-sum and abs-max fold the noise there).
 */
import type { Shape } from '../core/tensor.js';
import { channelPairs, standardErrors, type ChannelCovariance } from '../gradients/standard-error.js';
import type { ChannelReduction } from './channel-reduction.js';

export interface MapUncertainty {
  /** Standard error of every attribution value (C×H×W, the attribution's layout). */
  standardError: Float32Array;
  /** Standard error of the map (H×W). */
  mapStandardError: Float32Array;
  signalToNoise: SignalToNoise;
}

export interface SignalToNoise {
  /** Share of pixels whose |map| exceeds twice its standard error (≈ 5 % by chance alone when the map is noise). */
  aboveTwoSe: number;
  /** Median of |map| / SE over the 10 % of pixels with the largest |map|: how well the hot spots stand out. */
  topDecileMedian: number;
}

export function mapUncertainty(values: Float32Array, shape: Shape, cov: ChannelCovariance, reduction: ChannelReduction, map: Float32Array): MapUncertainty {
  const mapStandardError = mapStandardErrorOf(values, shape, cov, reduction);
  return { standardError: standardErrors(cov), mapStandardError, signalToNoise: signalToNoise(map, mapStandardError) };
}

export function mapStandardErrorOf(values: Float32Array, shape: Shape, cov: ChannelCovariance, reduction: ChannelReduction): Float32Array {
  const plane = shape.height * shape.width;
  const C = shape.channels;
  const pairs = channelPairs(C);
  const out = new Float32Array(plane);
  const s = new Float64Array(C);
  for (let p = 0; p < plane; p++) {
    if (reduction === 'sum') s.fill(1);
    else if (reduction === 'abs-sum') for (let c = 0; c < C; c++) s[c] = values[c * plane + p]! < 0 ? -1 : 1;
    else {
      s.fill(0);
      let best = 0;
      for (let c = 1; c < C; c++) if (Math.abs(values[c * plane + p]!) > Math.abs(values[best * plane + p]!)) best = c;
      s[best] = values[best * plane + p]! < 0 ? -1 : 1;
    }
    let variance = 0;
    pairs.forEach(([c, c2], t) => {
      variance += (c === c2 ? 1 : 2) * s[c]! * s[c2]! * cov.values[t * plane + p]!;
    });
    out[p] = Math.sqrt(Math.max(0, variance));
  }
  return out;
}

export function signalToNoise(map: Float32Array, se: Float32Array): SignalToNoise {
  const n = map.length;
  let above = 0;
  for (let i = 0; i < n; i++) if (Math.abs(map[i]!) > 2 * se[i]!) above++;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => Math.abs(map[b]!) - Math.abs(map[a]!));
  const top = order.slice(0, Math.max(1, Math.round(n / 10))).map((i) => (se[i]! > 0 ? Math.abs(map[i]!) / se[i]! : Math.abs(map[i]!) > 0 ? Infinity : 0));
  top.sort((a, b) => a - b);
  const mid = top.length >> 1;
  const median = top.length % 2 ? top[mid]! : (top[mid - 1]! + top[mid]!) / 2;
  return { aboveTwoSe: above / n, topDecileMedian: median };
}

/** Why a map has no standard error (method and gradient source as explain() names them). */
export function noUncertaintyReason(method: string, gradient: string): string {
  if (method === 'rise') return 'RISE averages masked scores; no standard error is defined for it here';
  if (method.startsWith('vargrad')) return 'VarGrad reports a variance of estimates, not an estimate with a standard error';
  if (gradient === 'backprop') return 'backprop gradients are exact: there is no estimation error';
  if (gradient === 'focused') return 'focused adapts each query to earlier answers: its terms are not independent, so no standard error';
  if (gradient === 'lr' || gradient === 'blockwise') return 'too few directions per estimate (at least 2 are needed to measure a spread)';
  return `${method} × ${gradient} reports no standard error`;
}
