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
import { Rng } from '../core/rng.js';
import { reduceChannels, type ChannelReduction } from './channel-reduction.js';

export interface MapUncertainty {
  /** Standard error of every attribution value (C×H×W, the attribution's layout). */
  standardError: Float32Array;
  /** Standard error of the map (H×W). */
  mapStandardError: Float32Array;
  signalToNoise: SignalToNoise;
}

export interface SignalToNoise {
  /** Share of pixels whose |map| exceeds twice its standard error. */
  aboveTwoSe: number;
  /** Median of |map| / SE over the 10 % of pixels with the largest |map|: how well the hot spots stand out. */
  topDecileMedian: number;
  /**
   * The same two figures for a map of pure estimation noise with the same covariance (no signal at all): what
   * chance alone gives. abs-sum over independent channels folds three noises into one positive value, so chance
   * is ≈ 15 % above 2·SE there, ≈ 4.6 % for one channel or channel-shared noise.
   */
  chance?: { aboveTwoSe: number; topDecileMedian: number };
}

export function mapUncertainty(values: Float32Array, shape: Shape, cov: ChannelCovariance, reduction: ChannelReduction, map: Float32Array): MapUncertainty {
  const mapStandardError = mapStandardErrorOf(values, shape, cov, reduction);
  const noise = noiseOnly(shape, cov);
  const noiseMap = reduceChannels(noise, shape, reduction);
  const chance = signalToNoise(noiseMap, mapStandardErrorOf(noise, shape, cov, reduction));
  return { standardError: standardErrors(cov), mapStandardError, signalToNoise: { ...signalToNoise(map, mapStandardError), chance: { aboveTwoSe: chance.aboveTwoSe, topDecileMedian: chance.topDecileMedian } } };
}

/** One draw of attribution noise with each pixel's channel covariance (Cholesky per pixel; fixed seed). */
export function noiseOnly(shape: Shape, cov: ChannelCovariance, seed = 0): Float32Array {
  const C = shape.channels;
  const plane = shape.height * shape.width;
  const pairs = channelPairs(C);
  const index = (a: number, b: number) => pairs.findIndex(([c, c2]) => c === Math.min(a, b) && c2 === Math.max(a, b));
  const pairOf = Array.from({ length: C * C }, (_, k) => index(Math.floor(k / C), k % C));
  const z = new Float32Array(C * plane);
  new Rng(seed).fillNormal(z, 0, z.length, 1);
  const out = new Float32Array(C * plane);
  const L = new Float64Array(C * C);
  for (let p = 0; p < plane; p++) {
    // Cholesky of the pixel's C×C covariance; a pivot at zero (channels fully correlated) leaves its column zero.
    L.fill(0);
    let scale = 0;
    for (let c = 0; c < C; c++) scale = Math.max(scale, cov.values[pairOf[c * C + c]! * plane + p]!);
    for (let j = 0; j < C; j++) {
      let pivot = cov.values[pairOf[j * C + j]! * plane + p]!;
      for (let k = 0; k < j; k++) pivot -= L[j * C + k]! ** 2;
      if (!(pivot > 1e-9 * scale)) continue;
      const root = Math.sqrt(pivot);
      L[j * C + j] = root;
      for (let i = j + 1; i < C; i++) {
        let v = cov.values[pairOf[i * C + j]! * plane + p]!;
        for (let k = 0; k < j; k++) v -= L[i * C + k]! * L[j * C + k]!;
        L[i * C + j] = v / root;
      }
    }
    for (let i = 0; i < C; i++) {
      let v = 0;
      for (let k = 0; k <= i; k++) v += L[i * C + k]! * z[k * plane + p]!;
      out[i * plane + p] = v;
    }
  }
  return out;
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
