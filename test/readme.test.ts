/** The README's library example must run as written: extract it, point `lrsal` at this build, execute it. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { repoRoot, tempDir } from './helpers/files.js';

test('the README custom-function example runs as written and explains the top-left quarter', () => {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const library = readme.slice(readme.indexOf('## Library'));
  const snippet = /```ts\n([\s\S]*?)```/.exec(library)?.[1];
  assert.ok(snippet?.includes('topLeftBrightness'), 'the README has the custom-function example');
  if (!snippet) return;
  const entry = pathToFileURL(join(repoRoot, 'dist', 'src', 'index.js')).href;
  const file = join(tempDir(), 'readme-example.mjs');
  // The snippet as written, plus a check of its map (the top-left quarter must dominate).
  writeFileSync(
    file,
    snippet.replace("from 'lrsal'", `from '${entry}'`) +
      `\nconst inside = [], outside = [];\nresult.map.forEach((v, i) => ((i % 32 < 16 && i < 16 * 32) ? inside : outside).push(Math.abs(v)));\n` +
      `const mean = (a) => a.reduce((s, v) => s + v, 0) / a.length;\nconsole.log(mean(inside) > 2 * mean(outside) ? 'top-left' : 'elsewhere');\n`,
  );
  const out = execFileSync(process.execPath, [file], { cwd: repoRoot, encoding: 'utf8' });
  assert.deepEqual(out.trim().split('\n'), ['500 1024', 'top-left']);
});
