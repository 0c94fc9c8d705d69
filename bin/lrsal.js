#!/usr/bin/env node
// The `lrsal` command. `.npmrc` sets ignore-scripts (no dependency may run install scripts: onnxruntime-node's
// would download GPU binaries), so `npm ci` does not build this package: the first run compiles it once.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'src', 'cli', 'main.js');
if (!existsSync(cli)) {
  process.stderr.write('lrsal: first run: compiling the TypeScript sources (once)…\n');
  const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) {
    process.stderr.write('lrsal: the build failed; run `npm run build` to see why\n');
    process.exit(1);
  }
}
await import(pathToFileURL(cli).href);
