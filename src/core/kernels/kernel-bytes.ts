/**
 * The WASM kernels as base64. This stub says "not built": `npm run build` (wasm/build.mjs) overwrites its
 * compiled form, dist/src/core/kernels/kernel-bytes.js, with the bytes of wasm/kernels.wat. Without them the
 * JS reference kernels run (same results, slower).
 */
export const KERNEL_WASM_BASE64: string | undefined = undefined;
