/**
 * The WASM kernels as base64, written by `npm run build` (wasm/build.mjs) as dist/src/core/kernels/kernel-bytes.js
 * from wasm/kernels.wat; `undefined` there means "not built" and the JS reference kernels run (same results,
 * slower). Only declared here, so a plain `tsc` never overwrites the built bytes.
 */
export declare const KERNEL_WASM_BASE64: string | undefined;
