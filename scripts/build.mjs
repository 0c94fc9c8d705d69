// Build: the TypeScript (dist/), the WASM kernels embedded into it (wasm/build.mjs), then the in-browser page:
// its type check (DOM types) and its esbuild bundle (web/in-browser/dist/). Plain Node, so the CLI launcher can run it too.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const steps = [
  [tsc, '-p', root],
  [join(root, 'wasm', 'build.mjs')],
  [tsc, '-p', join(root, 'tsconfig.browser.json')],
  [join(root, 'scripts', 'build-in-browser.mjs')],
];
for (const args of steps) {
  const step = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (step.status !== 0) process.exit(step.status ?? 1);
}
