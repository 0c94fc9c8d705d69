/**
 * Issue 11, local CLI items: outputs checked before the first query and written all or none (16), /proc and
 * signals (17), --strict on a map that says nothing (11), exit 2 for every bad argument (9, 13, 14).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { LrsalError } from '../src/core/errors.js';
import { explainOutputPaths, prepareOutputs, writeAllOrNone } from '../src/cli/outputs.js';
import { onnxModel } from './helpers/onnx-writer.js';
import { kitten, repoRoot, tempDir, writeTemp } from './helpers/files.js';

const cli = join(repoRoot, 'dist', 'src', 'cli', 'main.js');

function lrsal(args: string[], timeout = 60_000) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout, env: { ...process.env, LRSAL_DEBUG: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
}

function oneLineError(r: ReturnType<typeof lrsal>, code: number, message: RegExp): void {
  assert.equal(r.code, code, `exit ${r.code} (${r.signal ?? 'no signal'}): ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `expected one line, got:\n${r.stderr}`);
  assert.match(lines[0]!, message);
}

/** x [N,3,2,2] → Flatten → f − f: every score is 0 whatever the input, so every map is all zeros. */
function blindModel(): Buffer {
  return onnxModel({ name: 'x', dims: ['N', 3, 2, 2] }, { name: 'y', dims: ['N', 12] }, [
    { op: 'Flatten', inputs: ['x'], outputs: ['f'], ints: { axis: 1 } },
    { op: 'Sub', inputs: ['f', 'f'], outputs: ['y'] },
  ]);
}
function softmaxModel(): Buffer {
  return onnxModel({ name: 'x', dims: ['N', 3, 2, 2] }, { name: 'output', dims: ['N', 12] }, [
    { op: 'Flatten', inputs: ['x'], outputs: ['f'], ints: { axis: 1 } },
    { op: 'Softmax', inputs: ['f'], outputs: ['output'], ints: { axis: 1 } },
  ]);
}
const tiny = ['--preprocess', 'raw', '--resize', '2', '--threads', '1'];

test('--out equal to the input image is an error and the photo is untouched', () => {
  const dir = tempDir();
  const photo = join(dir, 'photo.png');
  copyFileSync(kitten, photo);
  const before = readFileSync(photo);
  oneLineError(lrsal(['explain', photo, '--method', 'vanilla', '--queries', '5', '--out', photo]), 2, /output .*photo\.png is the input image/);
  assert.ok(readFileSync(photo).equals(before));
});

test('--out under /proc fails at once instead of spinning in mkdir', () => {
  const r = lrsal(['explain', kitten, '--method', 'vanilla', '--queries', '5', '--out', '/proc/nope/o.png'], 20_000);
  oneLineError(r, 1, /cannot write \/proc\/nope\/o\.png: \/proc is a virtual filesystem/);
});

test('an unwritable output folder is found before the first query, not after the whole budget', () => {
  const dir = tempDir();
  const file = writeTemp(dir, 'not-a-folder', 'x');
  // 10⁷ queries would take hours: only a check before the first query can answer within the timeout.
  const r = lrsal(['explain', kitten, '--method', 'vanilla', '--queries', '10000000', '--out', join(file, 'o.png')], 20_000);
  oneLineError(r, 1, /cannot write .*o\.png: .*not-a-folder is a file, not a folder/);
});

test('the .png and the .npy are written together or not at all', async () => {
  const dir = tempDir();
  const paths = explainOutputPaths('photo.jpg', join(dir, 'o.png'), 'ig-lr');
  assert.deepEqual(paths, { overlay: join(dir, 'o.png'), map: join(dir, 'o.npy') });
  mkdirSync(paths.map); // the .npy cannot be renamed into place
  await assert.rejects(
    writeAllOrNone([
      { path: paths.overlay, data: Buffer.from('png bytes') },
      { path: paths.map, data: Buffer.from('npy bytes') },
    ]),
    (e: unknown) => e instanceof LrsalError && e.code === 'OUTPUT_UNWRITABLE' && /nothing was written/.test(e.message),
  );
  assert.ok(!existsSync(paths.overlay), 'no .png without its .npy');
  assert.deepEqual(readdirSync(dir), ['o.npy'], 'no temporary file left behind');
  await assert.rejects(prepareOutputs([paths.overlay, paths.map]), /o\.npy is a folder/);
  // A good pair replaces old outputs whole.
  writeFileSync(join(dir, 'p.png'), 'old');
  await writeAllOrNone([
    { path: join(dir, 'p.png'), data: Buffer.from('new png') },
    { path: join(dir, 'p.npy'), data: Buffer.from('new npy') },
  ]);
  assert.equal(readFileSync(join(dir, 'p.png'), 'utf8'), 'new png');
  assert.equal(readFileSync(join(dir, 'p.npy'), 'utf8'), 'new npy');
  assert.deepEqual(readdirSync(dir).sort(), ['o.npy', 'p.npy', 'p.png']);
});

test('prepareOutputs creates missing folders level by level and probes that they are writable', async () => {
  const dir = tempDir();
  const deep = join(dir, 'a', 'b', 'c', 'o.png');
  await prepareOutputs([deep]);
  assert.ok(existsSync(join(dir, 'a', 'b', 'c')));
  assert.deepEqual(readdirSync(join(dir, 'a', 'b', 'c')), [], 'the write probe is removed');
});

test('an all-zero map is a warning, and an error with --strict (outputs still written)', () => {
  const dir = tempDir();
  const model = writeTemp(dir, 'blind.onnx', blindModel());
  const loose = lrsal(['explain', kitten, '--model', model, ...tiny, '--method', 'vanilla', '--queries', '6', '--out', join(dir, 'a.png'), '--json']);
  assert.equal(loose.code, 0, loose.stderr);
  assert.match(loose.stderr, /lrsal: warning: the map is all zeros/);
  assert.match(JSON.parse(loose.stdout).warnings.join(), /all zeros/);
  const strict = lrsal(['explain', kitten, '--model', model, ...tiny, '--method', 'vanilla', '--queries', '6', '--out', join(dir, 'b.png'), '--strict']);
  oneLineError(strict, 1, /--strict: the map is all zeros.*\(outputs written\)/);
  assert.ok(existsSync(join(dir, 'b.png')) && existsSync(join(dir, 'b.npy')));
});

test('the JSON summary says which score kind was assumed, and a contradicting --score-kind exits 2', () => {
  const dir = tempDir();
  const model = writeTemp(dir, 'softmax.onnx', softmaxModel());
  const r = lrsal(['explain', kitten, '--model', model, ...tiny, '--method', 'vanilla', '--objective', 'probability', '--queries', '6', '--out', join(dir, 's.png'), '--json']);
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  assert.equal(summary.scoreKind, 'probabilities');
  assert.equal(summary.scoreKindSource, 'detected');
  oneLineError(lrsal(['explain', kitten, '--model', model, ...tiny, '--score-kind', 'logits', '--out', join(dir, 't.png')]), 2, /score kind "logits" was given, but output output .* holds probabilities/);
});

const dir = tempDir();
const exit2: Array<[string, () => string[], RegExp]> = [
  ['an unknown target', () => ['explain', kitten, '--target', 'flying spaghetti monster'], /unknown target/],
  ['the focused gradient with tiles', () => ['explain', kitten, '--gradient', 'focused', '--tile', '2'], /focused gradient takes no tiles/],
  ['the focused gradient with antithetic pairs', () => ['explain', kitten, '--gradient', 'focused', '--antithetic'], /focused gradient takes no antithetic pairs/],
  ['--sigma 1e300', () => ['explain', kitten, '--sigma', '1e300'], /sigma must be a number in \(0, 10000\]/],
  ['a seed past 2³²−1', () => ['explain', kitten, '--seed', '4294967296'], /--seed must be ≤ 4294967295/],
  ['too few queries for IG', () => ['explain', kitten, '--queries', '5'], /ig with the blockwise gradient needs at least 21 queries/],
  ['a model path that is a folder', () => ['explain', kitten, '--model', dir], /is a folder/],
  ['serve-model --port 99999', () => ['serve-model', '--port', '99999'], /--port must be ≤ 65535/],
  ['an --endpoint that is not a URL', () => ['explain', kitten, '--api', 'vision', '--target', 'tabby', '--endpoint', 'not a url', '--no-cache'], /--endpoint must be an http:\/\/ or https:\/\/ URL/],
  ['an --endpoint on a port fetch blocks', () => ['explain', kitten, '--api', 'vision', '--target', 'tabby', '--endpoint', 'http://127.0.0.1:6000', '--no-cache'], /--endpoint uses port 6000, which fetch refuses/],
  ['an --endpoint with another scheme', () => ['explain', kitten, '--api', 'vision', '--target', 'tabby', '--endpoint', 'ftp://u:secret@host/x', '--no-cache'], /--endpoint must be an http:\/\/ or https:\/\/ URL, got the ftp scheme/],
];
for (const [what, args, message] of exit2) {
  test(`${what} exits 2 with one line`, () => {
    const r = lrsal(args());
    oneLineError(r, 2, message);
    assert.doesNotMatch(r.stderr, /secret/);
  });
}

test('the first SIGTERM stops gracefully; a second one ends the process at once even while it is busy', async () => {
  const script = `
    const { gracefulStop } = await import(${JSON.stringify(join(repoRoot, 'dist', 'src', 'cli', 'signals.js'))});
    const stop = gracefulStop((m) => process.stderr.write(m));
    stop.signal.addEventListener('abort', () => {
      console.log('graceful');
      const t = Date.now();
      while (Date.now() - t < 15000); // a busy loop: no JavaScript handler could run now
      console.log('finished');
    });
    console.log('ready');
    setTimeout(() => {}, 20000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
  await new Promise<void>((resolve) => child.stdout.on('data', (b: Buffer) => ((out += b), out.includes('ready') && resolve())));
  child.kill('SIGTERM');
  await new Promise<void>((resolve) => child.stdout.on('data', (b: Buffer) => ((out += b), out.includes('graceful') && resolve())));
  const sent = Date.now();
  child.kill('SIGTERM');
  const end = await exited;
  assert.equal(end.signal, 'SIGTERM');
  assert.ok(end.at - sent < 3000, `second signal took ${end.at - sent} ms`);
  assert.doesNotMatch(out, /finished/);
});

test('a CLI run without the WebAssembly build warns once that it uses the slower JS kernels', () => {
  // The compiled CLI with the kernel bytes left out, as a plain tsc build leaves them (models, labels and packages linked in).
  const root = tempDir();
  cpSync(join(repoRoot, 'dist', 'src'), join(root, 'dist', 'src'), { recursive: true });
  writeFileSync(join(root, 'dist', 'src', 'core', 'kernels', 'kernel-bytes.js'), 'export const KERNEL_WASM_BASE64 = undefined;\n');
  copyFileSync(join(repoRoot, 'package.json'), join(root, 'package.json'));
  for (const linked of ['node_modules', 'models', 'data']) if (existsSync(join(repoRoot, linked))) symlinkSync(join(repoRoot, linked), join(root, linked));
  const r = spawnSync(process.execPath, [join(root, 'dist', 'src', 'cli', 'main.js'), 'explain', kitten, '--method', 'vanilla', '--gradient', 'lr', '--queries', '12', '--threads', '1', '--out', join(root, 'o.png')], {
    encoding: 'utf8',
    env: { ...process.env, LRSAL_DEBUG: '', LRSAL_KERNELS: '' },
  });
  assert.equal(r.status, 0, r.stderr);
  const warnings = r.stderr.split('\n').filter((l) => /WebAssembly kernels are not available/.test(l));
  assert.equal(warnings.length, 1, r.stderr);
  assert.match(warnings[0]!, /^lrsal: warning: the WebAssembly kernels are not available \(the WASM kernels were not built: run npm run build\); using the slower JavaScript kernels/);
});
