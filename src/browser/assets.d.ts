/** esbuild's binary loader: a .wasm import is its bytes (scripts/build-in-browser.mjs). */
declare module '*.wasm' {
  const bytes: Uint8Array;
  export default bytes;
}
