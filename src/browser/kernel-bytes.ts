/**
 * The browser's stand-in for core/kernels/kernel-bytes.ts (swapped in by the esbuild alias in
 * scripts/build-in-browser.mjs): the kernel bytes are embedded in the bundle by esbuild's binary loader,
 * so the same SIMD kernels run in the page, with no file access and no extra request.
 */
import bytes from '../../dist/wasm/kernels.wasm';

export function kernelBytes(): Uint8Array | null {
  return bytes.length > 0 ? bytes : null;
}
