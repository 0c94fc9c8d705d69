/**
 * Ziggurat tables (Marsaglia & Tsang, 2000, with 4096 layers instead of 128), shared by the scalar Rng,
 * the JS reference kernels and the WebAssembly kernels (copied into their memory).
 * Why 4096 layers: a draw leaves the fast path (rectangle test) with probability ≈ 0.12 % instead of
 * 2.8 %; the SIMD kernel handles those draws out of line, so their rate sets its speed.
 * R and V (base-strip edge and common layer area for the density exp(−x²/2)) were solved so that the
 * top layer closes exactly at x = 0, as in the paper; they reproduce its 128- and 256-layer constants.
 */
export const ZIG_LAYERS = 4096;
export const ZIG_MASK = ZIG_LAYERS - 1;
export const ZIG_R = 4.3859450348713036;
const ZIG_V = 0.00030615410327846504;
export const ZIG_KN = new Uint32Array(ZIG_LAYERS);
export const ZIG_WN = new Float64Array(ZIG_LAYERS);
export const ZIG_FN = new Float64Array(ZIG_LAYERS);

(function buildZigguratTables() {
  const m1 = 2147483648.0;
  const top = ZIG_LAYERS - 1;
  let dn = ZIG_R;
  let tn = dn;
  const q = ZIG_V / Math.exp(-0.5 * dn * dn);
  ZIG_KN[0] = (dn / q) * m1;
  ZIG_KN[1] = 0;
  ZIG_WN[0] = q / m1;
  ZIG_WN[top] = dn / m1;
  ZIG_FN[0] = 1.0;
  ZIG_FN[top] = Math.exp(-0.5 * dn * dn);
  for (let i = top - 1; i >= 1; i--) {
    dn = Math.sqrt(-2.0 * Math.log(ZIG_V / dn + Math.exp(-0.5 * dn * dn)));
    ZIG_KN[i + 1] = (dn / tn) * m1;
    tn = dn;
    ZIG_FN[i] = Math.exp(-0.5 * dn * dn);
    ZIG_WN[i] = dn / m1;
  }
})();
