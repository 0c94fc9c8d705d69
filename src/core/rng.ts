/**
 * Seeded random numbers: xoshiro128** for uniform 32-bit words and a 4096-layer ziggurat for normals
 * (tables in kernels/ziggurat.ts; bulk fills in the SIMD kernels of kernels/).
 *
 * Why these: xoshiro128** passes BigCrush, needs only 32-bit integer ops (fast in V8 via Math.imul),
 * and the ziggurat returns a normal from one word in ~99 % of draws without any transcendental call,
 * which matters because the plain LR estimator draws ~150k normals per model query.
 * Every consumer receives a generator explicitly; nothing here is global.
 */

import { fillNormalLanes, LANES, STATE_WORDS } from './kernels/index.js';
import { ZIG_FN, ZIG_KN, ZIG_MASK, ZIG_R, ZIG_WN } from './kernels/ziggurat.js';

const TWO_POW_32 = 4294967296;

/** splitmix32: spreads a user seed over the 128-bit state so nearby seeds give unrelated streams. */
function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** A reproducible random stream. Same seed → same sequence, on every platform. */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
    // Seeds above 2^32 still matter: fold the high part in.
    const hi = Math.floor(Math.abs(seed) / TWO_POW_32) >>> 0;
    const mix = splitmix32((seed >>> 0) ^ Math.imul(hi, 0x27d4eb2d));
    this.s0 = mix();
    this.s1 = mix();
    this.s2 = mix();
    this.s3 = mix();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /**
   * An independent child stream keyed by `path` (e.g. [estimate, chunk]): a pure function of this stream's
   * current state and the path, and it does not advance this stream. Lets a job be cut into chunks that
   * can run anywhere, in any order, and still draw exactly the numbers a single run draws.
   */
  derive(path: readonly number[]): Rng {
    let h = this.s0 ^ Math.imul(this.s1, 0x9e3779b1) ^ Math.imul(this.s2, 0x85ebca6b) ^ Math.imul(this.s3, 0xc2b2ae35);
    const child = new Rng(0);
    const words = [this.s0, this.s1, this.s2, this.s3];
    for (const key of path) {
      if (!(Number.isInteger(key) && key >= 0 && key < TWO_POW_32)) throw new RangeError(`derive() keys must be integers in [0, 2^32), got ${key}`);
      h = splitmix32(h ^ key ^ Math.imul(words.length, 0x27d4eb2d))();
      words.push(key);
    }
    // Mix every word of the parent state and the path into each child word.
    const mix = splitmix32(h);
    const state = [0, 0, 0, 0];
    for (let i = 0; i < words.length; i++) state[i % 4] = (state[i % 4]! ^ splitmix32(words[i]! ^ mix())()) >>> 0;
    for (let i = 0; i < 4; i++) state[i] = (state[i]! ^ mix()) >>> 0;
    child.s0 = state[0]!;
    child.s1 = state[1]!;
    child.s2 = state[2]!;
    child.s3 = state[3]!;
    if ((child.s0 | child.s1 | child.s2 | child.s3) === 0) child.s0 = 1;
    return child;
  }

  /** Next uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  nextFloat(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  /** Uniform in (0, 1): safe for log(). */
  nextOpenFloat(): number {
    return (this.nextUint32() + 0.5) / TWO_POW_32;
  }

  /** Uniform integer in [0, n), without modulo bias (rejection of the incomplete last block). */
  nextInt(n: number): number {
    if (!(n >= 1 && n <= TWO_POW_32 && Number.isInteger(n))) throw new RangeError(`nextInt needs an integer in [1, 2^32], got ${n}`);
    const limit = Math.floor(TWO_POW_32 / n) * n;
    for (;;) {
      const r = this.nextUint32();
      if (r < limit) return r % n;
    }
  }

  /** One standard normal draw. */
  nextNormal(): number {
    const hz = this.nextUint32() | 0;
    const iz = hz & ZIG_MASK;
    if (Math.abs(hz) < ZIG_KN[iz]!) return hz * ZIG_WN[iz]!;
    return this.normalTail(hz, iz);
  }

  /**
   * Fill out[start..end) with independent N(0, scale²) draws. This is the estimators' hot loop, so it runs
   * in the SIMD kernels (kernels/): 8 xoshiro128** lanes and a slow-path stream, seeded from the next 36
   * words of this stream, draw ziggurat normals (see kernels/reference.ts). Not the same numbers as repeated
   * nextNormal(), but the same distribution, and a pure function of this stream's state and `end − start`.
   */
  fillNormal(out: Float32Array, start: number, end: number, scale: number): void {
    if (end <= start) return;
    const state = new Int32Array(STATE_WORDS);
    for (let i = 0; i < STATE_WORDS; i++) state[i] = this.nextUint32();
    // An all-zero xoshiro state would stay zero forever.
    for (let j = 0; j < LANES; j++) if ((state[j]! | state[LANES + j]! | state[2 * LANES + j]! | state[3 * LANES + j]!) === 0) state[j] = 1;
    if ((state[4 * LANES]! | state[4 * LANES + 1]! | state[4 * LANES + 2]! | state[4 * LANES + 3]!) === 0) state[4 * LANES] = 1;
    fillNormalLanes(state, out, start, end, scale);
  }

  /** Fill out[start..end) with ±scale, each sign with probability 1/2 (Rademacher noise). */
  fillRademacher(out: Float32Array, start: number, end: number, scale: number): void {
    let word = 0;
    let bits = 0;
    for (let i = start; i < end; i++) {
      if (bits === 0) {
        word = this.nextUint32();
        bits = 32;
      }
      out[i] = word & 1 ? scale : -scale;
      word >>>= 1;
      bits--;
    }
  }

  private normalTail(hz: number, iz: number): number {
    for (;;) {
      const x = hz * ZIG_WN[iz]!;
      if (iz === 0) {
        // Base strip: sample the tail beyond R exactly (Marsaglia's method).
        let tx: number;
        let ty: number;
        do {
          tx = -Math.log(this.nextOpenFloat()) / ZIG_R;
          ty = -Math.log(this.nextOpenFloat());
        } while (ty + ty < tx * tx);
        return hz > 0 ? ZIG_R + tx : -ZIG_R - tx;
      }
      if (ZIG_FN[iz]! + this.nextFloat() * (ZIG_FN[iz - 1]! - ZIG_FN[iz]!) < Math.exp(-0.5 * x * x)) return x;
      hz = this.nextUint32() | 0;
      iz = hz & ZIG_MASK;
      if (Math.abs(hz) < ZIG_KN[iz]!) return hz * ZIG_WN[iz]!;
    }
  }
}

/** The stream for chunk `chunk` of estimate `estimate` of a run seeded with `seed` (see Rng.derive). */
export function deriveRng(seed: number, estimate: number, chunk: number): Rng {
  return new Rng(seed).derive([estimate, chunk]);
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
