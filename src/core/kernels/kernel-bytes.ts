/**
 * Where the compiled kernels come from in Node: dist/wasm/kernels.wasm beside the build. The browser bundle
 * swaps this module for src/browser/kernel-bytes.ts (an esbuild alias), so only this file touches node:fs.
 */
import { readFileSync } from 'node:fs';

/** The kernel module's bytes, or null to run the JS reference (LRSAL_KERNELS=js, or no build). */
export function kernelBytes(): Uint8Array | null {
  if (process.env.LRSAL_KERNELS === 'js') return null;
  try {
    return readFileSync(new URL('../../../wasm/kernels.wasm', import.meta.url));
  } catch {
    return null;
  }
}
