/**
 * Plain-JS reference of the hot-loop kernels (wasm/kernels.wat): the same operations in the same order
 * and the same rounding, so both produce identical bits (test/kernels.test.ts checks it). Used as the
 * fallback when the WebAssembly build is absent, and for arrays that do not live in kernel memory.
 *
 * Normals: 4096-layer ziggurat on LANES independent xoshiro128** streams: element 8·g + j of a fill
 * starts from lane j's g-th word. Its fast path (99.9 % of draws) is float32: fround(fround(hz) ·
 * fround(wn·scale)), within 1.5 ulp of hz·wn·scale. The rest (wedges and the tail beyond R, exact) take
 * further words from one separate slow stream, in element order, computed in float64 and rounded once.
 */
import { ZIG_FN, ZIG_KN, ZIG_LAYERS, ZIG_MASK, ZIG_R, ZIG_WN } from './ziggurat.js';

/** Lanes per fill. A fill's state is STATE_WORDS words: word w of lane j at LANES·w + j, then the slow stream. */
export const LANES = 8;
export const STATE_WORDS = 4 * LANES + 4;
const SLOW = 4 * LANES;

const TWO_POW_M32 = 2 ** -32;

/** Next word of lane j (signed), advancing its state in place. */
function nextLane(s: Int32Array, j: number): number {
  const s0 = s[j]!, s1 = s[LANES + j]!, s2 = s[2 * LANES + j]!, s3 = s[3 * LANES + j]!;
  const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
  const t = s1 << 9;
  const n2 = s2 ^ s0;
  const n3 = s3 ^ s1;
  s[j] = s0 ^ n3;
  s[LANES + j] = s1 ^ n2;
  s[2 * LANES + j] = n2 ^ t;
  s[3 * LANES + j] = rotl(n3, 11);
  return r;
}

/** Next word of the slow-path stream. */
function nextSlow(s: Int32Array): number {
  const s0 = s[SLOW]!, s1 = s[SLOW + 1]!, s2 = s[SLOW + 2]!, s3 = s[SLOW + 3]!;
  const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
  const t = s1 << 9;
  const n2 = s2 ^ s0;
  const n3 = s3 ^ s1;
  s[SLOW] = s0 ^ n3;
  s[SLOW + 1] = s1 ^ n2;
  s[SLOW + 2] = n2 ^ t;
  s[SLOW + 3] = rotl(n3, 11);
  return r;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * Ziggurat slow path for a word that missed its rectangle (as Rng's normalTail). Further words come from
 * the slow stream, consumed in element order: exact, since any independent uniforms will do.
 */
export function slowNormal(s: Int32Array, hz: number): number {
  for (;;) {
    const iz = hz & ZIG_MASK;
    const x = hz * ZIG_WN[iz]!;
    if (iz === 0) {
      let tx: number;
      let ty: number;
      do {
        tx = -Math.log(((nextSlow(s) >>> 0) + 0.5) * TWO_POW_M32) / ZIG_R;
        ty = -Math.log(((nextSlow(s) >>> 0) + 0.5) * TWO_POW_M32);
      } while (ty + ty < tx * tx);
      return hz > 0 ? ZIG_R + tx : -ZIG_R - tx;
    }
    if (ZIG_FN[iz]! + (nextSlow(s) >>> 0) * TWO_POW_M32 * (ZIG_FN[iz - 1]! - ZIG_FN[iz]!) < Math.exp(-0.5 * x * x)) return x;
    hz = nextSlow(s);
    if (Math.abs(hz) < ZIG_KN[hz & ZIG_MASK]!) return hz * ZIG_WN[hz & ZIG_MASK]!;
  }
}

/** The float32 table WN × scale of the fast path. */
export function scaledWidths(scale: number, out: Float32Array = new Float32Array(ZIG_LAYERS)): Float32Array {
  for (let i = 0; i < ZIG_LAYERS; i++) out[i] = ZIG_WN[i]! * scale;
  return out;
}

/** out[start..end) = normals × scale from `state` (STATE_WORDS words, advanced in place). */
export function fillNormalReference(state: Int32Array, out: Float32Array, start: number, end: number, scale: number): void {
  const wns = scaledWidths(scale);
  const kn = ZIG_KN;
  const f = Math.fround;
  for (let g = start; g < end; g += LANES) {
    const n = Math.min(LANES, end - g);
    for (let j = 0; j < n; j++) {
      const hz = nextLane(state, j);
      const iz = hz & ZIG_MASK;
      out[g + j] = Math.abs(hz) < kn[iz]! ? f(hz) * wns[iz]! : slowNormal(state, hz) * scale;
    }
    // Lanes past the end still draw (the kernel computes whole groups); their words are simply unused.
    for (let j = n; j < LANES; j++) nextLane(state, j);
  }
}

/** out[o..] = base[b..] + sign · noise[n..], `rows` runs of w values `stride` apart in out and base. */
export function perturbReference(out: Float32Array, o: number, base: Float32Array, b: number, noise: Float32Array, n: number, rows: number, w: number, stride: number, sign: number): void {
  for (let r = 0; r < rows; r++, o += stride, b += stride) {
    for (let i = 0; i < w; i++) out[o + i] = base[b + i]! + sign * noise[n++]!;
  }
}

/** acc[a..] += weight · noise[n..], `rows` runs of w values `stride` apart in acc. */
export function accumulateReference(acc: Float64Array, a: number, noise: Float32Array, n: number, weight: number, rows: number, w: number, stride: number): void {
  for (let r = 0; r < rows; r++, a += stride) {
    for (let i = 0; i < w; i++) acc[a + i]! += weight * noise[n++]!;
  }
}
