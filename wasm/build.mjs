// Compiles wasm/*.wat to dist/wasm/*.wasm with wabt (a devDependency): run by `npm run build` / `prepare`.
// The binaries are build output, never committed; without them the library runs its JS reference kernels.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import initWabt from 'wabt';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, '..', 'dist', 'wasm');
const wabt = await initWabt();
mkdirSync(outDir, { recursive: true });
for (const file of readdirSync(here).filter((f) => f.endsWith('.wat'))) {
  const module = wabt.parseWat(file, readFileSync(join(here, file), 'utf8'), { simd: true, bulk_memory: true });
  module.validate();
  const { buffer } = module.toBinary({ log: false });
  module.destroy();
  writeFileSync(join(outDir, file.replace(/\.wat$/, '.wasm')), buffer);
}
