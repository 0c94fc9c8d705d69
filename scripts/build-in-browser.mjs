// Bundles the "in this browser" page (web/in-browser/main.ts) with esbuild into web/in-browser/dist/, with
// the browser's stand-ins for the Node-only modules, and copies onnxruntime-web's runtime files beside it so
// the page serves them itself (no CDN). Run by `npm run build` after wasm/build.mjs (it embeds the kernels).
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'web', 'in-browser', 'dist');

/** Node-only module → its browser stand-in (same exports). */
const STAND_INS = {
  [join(root, 'src/io/image.ts')]: join(root, 'src/browser/image.ts'),
  [join(root, 'src/models/differentiable-onnx.ts')]: join(root, 'src/browser/no-backprop.ts'),
  [join(root, 'src/explain/remote-objective.ts')]: join(root, 'src/browser/no-remote.ts'),
  // The kernel bytes exist only as build output (wasm/build.mjs), declared in src by kernel-bytes.d.ts.
  [join(root, 'src/core/kernels/kernel-bytes.ts')]: join(root, 'dist/src/core/kernels/kernel-bytes.js'),
};

const standIns = {
  name: 'lrsal-browser-stand-ins',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      const target = resolve(args.resolveDir, args.path).replace(/\.js$/, '.ts');
      return STAND_INS[target] ? { path: STAND_INS[target] } : undefined;
    });
    // Anything else reaching for Node fails the build here, not in the page.
    build.onResolve({ filter: /^(node:|sharp$|onnxruntime-node$)/ }, (args) => ({
      errors: [{ text: `${args.path} imported by ${args.importer}: the browser bundle must not reach Node-only modules` }],
    }));
  },
};

const kernels = join(root, 'dist', 'src', 'core', 'kernels', 'kernel-bytes.js');
if (!existsSync(kernels)) throw new Error(`${kernels} is missing: run wasm/build.mjs first`);

rmSync(out, { recursive: true, force: true });
await esbuild.build({
  entryPoints: [join(root, 'web', 'in-browser', 'main.ts')],
  outfile: join(out, 'main.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  // onnxruntime-web's build that loads its WebAssembly runtime from wasmPaths (our own dist/ort/).
  conditions: ['onnxruntime-web-use-extern-wasm'],
  loader: { '.wasm': 'binary' },
  plugins: [standIns],
  sourcemap: true,
  minify: true,
  legalComments: 'linked',
  logLevel: 'warning',
});

const require = createRequire(import.meta.url);
const ortDist = dirname(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'));
mkdirSync(join(out, 'ort'), { recursive: true });
for (const file of ['ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.mjs']) copyFileSync(join(ortDist, file), join(out, 'ort', file));
