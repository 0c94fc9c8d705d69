/**
 * Hot-loop kernels: normal fills, perturbed-input writes and weighted accumulation. Each call runs the
 * WebAssembly SIMD kernel when its arrays live in kernel memory (a KernelArena) and the JS reference
 * otherwise; both give identical bits, so which one ran never changes a result, only its speed.
 */
import { accumulateReference, fillNormalReference, LANES, perturbReference, scaledWidths, STATE_WORDS } from './reference.js';
import { instantiate, KernelArena, LAYOUT, ownerOf, wasmAvailable, type KernelInstance } from './wasm.js';

export { KernelArena, LANES, STATE_WORDS };
export { onKernelFallback } from './fallback.js';

/** 'wasm-simd' when the built kernels loaded, else 'js' (e.g. after a bare `tsc` without `npm run build`). */
export function kernelImplementation(): 'wasm-simd' | 'js' {
  return wasmAvailable() ? 'wasm-simd' : 'js';
}

const STAGE = 16384; // values per staged chunk: a multiple of LANES, so chunking keeps groups aligned
let stage: KernelInstance | null | undefined;

function stagingInstance(): KernelInstance | null {
  if (stage === undefined) stage = instantiate(4 * STAGE);
  return stage;
}

/** out[start..end) = N(0, scale²) draws from `state` (STATE_WORDS words: see reference.ts), advanced in place. */
export function fillNormalLanes(state: Int32Array, out: Float32Array, start: number, end: number, scale: number): void {
  if (end <= start) return;
  const owner = ownerOf(out.buffer);
  if (owner) {
    runFill(owner, state, out.byteOffset + 4 * start, end - start, scale);
    return;
  }
  const staging = end - start >= 64 ? stagingInstance() : null;
  if (!staging) {
    fillNormalReference(state, out, start, end, scale);
    return;
  }
  const view = new Float32Array(staging.memory.buffer, LAYOUT.heap, STAGE);
  for (let at = start; at < end; at += STAGE) {
    const n = Math.min(STAGE, end - at);
    runFill(staging, state, LAYOUT.heap, n, scale);
    out.set(view.subarray(0, n), at);
  }
}

function runFill(k: KernelInstance, state: Int32Array, dst: number, n: number, scale: number): void {
  k.state.set(state);
  scaledWidths(scale, k.wns);
  k.exports.fill(dst, n, scale);
  state.set(k.state);
}

/** out[o + r·stride + i] = base[b + r·stride + i] + sign · noise[n + r·w + i], for r < rows, i < w. */
export function perturbRows(out: Float32Array, o: number, base: Float32Array, b: number, noise: Float32Array, n: number, rows: number, w: number, stride: number, sign: number): void {
  const owner = ownerOf(out.buffer);
  if (owner && ownerOf(base.buffer) === owner && ownerOf(noise.buffer) === owner) {
    owner.exports.perturb(out.byteOffset + 4 * o, base.byteOffset + 4 * b, noise.byteOffset + 4 * n, rows, w, 4 * stride, sign);
  } else {
    perturbReference(out, o, base, b, noise, n, rows, w, stride, sign);
  }
}

/** acc[a + r·stride + i] += weight · noise[n + r·w + i], for r < rows, i < w (float64 sums, in order). */
export function accumulateRows(acc: Float64Array, a: number, noise: Float32Array, n: number, weight: number, rows: number, w: number, stride: number): void {
  const owner = ownerOf(acc.buffer);
  if (owner && ownerOf(noise.buffer) === owner) {
    owner.exports.accumulate(acc.byteOffset + 8 * a, noise.byteOffset + 4 * n, weight, rows, w, stride);
  } else {
    accumulateReference(acc, a, noise, n, weight, rows, w, stride);
  }
}

/**
 * acc[a..a+n) += Σ_k weights[k] · noises[k][0..n), term by term in order: the same bits as one
 * accumulateRows call per term, but a single pass over acc (it is 1.2 MB for a 224² image).
 */
export function accumulateMany(acc: Float64Array, a: number, noises: readonly Float32Array[], weights: readonly number[], n: number): void {
  const owner = ownerOf(acc.buffer);
  if (owner && noises.every((z) => ownerOf(z.buffer) === owner)) {
    for (let from = 0; from < noises.length; from += LAYOUT.listCapacity) {
      const count = Math.min(LAYOUT.listCapacity, noises.length - from);
      for (let k = 0; k < count; k++) {
        owner.listWords[4 * k] = noises[from + k]!.byteOffset;
        owner.listWeights[2 * k + 1] = weights[from + k]!;
      }
      owner.exports.accumulateMany(acc.byteOffset + 8 * a, count, n);
    }
  } else {
    for (let k = 0; k < noises.length; k++) accumulateReference(acc, a, noises[k]!, 0, weights[k]!, 1, n, 0);
  }
}
