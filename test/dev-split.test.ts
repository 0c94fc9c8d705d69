import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { devSplit, fnv1a32, selectHalf } from '../src/experiments/dev-split.js';

const manifest = '../shared/assets/images/dev/manifest.json';

test('fnv1a32 matches the published FNV-1a test vectors', () => {
  assert.equal(fnv1a32(''), 0x811c9dc5);
  assert.equal(fnv1a32('a'), 0xe40c292c);
  assert.equal(fnv1a32('foobar'), 0xbf9cf968);
});

test('devSplit is the parity of the file name hash, ignores directories, and never changes', () => {
  assert.equal(devSplit('n01440764_tench.jpg'), fnv1a32('n01440764_tench.jpg') % 2 === 0 ? 'tune' : 'report');
  assert.equal(devSplit('/some/dir/n01440764_tench.jpg'), devSplit('n01440764_tench.jpg'));
  assert.equal(devSplit('a'), 'tune'); // 0xe40c292c is even
  assert.equal(devSplit('foobar'), 'tune'); // 0xbf9cf968 is even
  assert.equal(devSplit('b'), fnv1a32('b') % 2 === 0 ? 'tune' : 'report');
});

test('the dev photos split into two halves of similar size', { skip: !existsSync(manifest) && 'no ../shared dev photos' }, () => {
  const files = (JSON.parse(readFileSync(manifest, 'utf8')) as Array<{ file: string }>).map((e) => e.file);
  const tune = files.filter((f) => devSplit(f) === 'tune').length;
  assert.ok(tune > 0.4 * files.length && tune < 0.6 * files.length, `${tune} of ${files.length} in tune`);
});

test('selectHalf keeps one half in manifest order, then applies the limit', () => {
  const entries = ['a', 'b', 'c', 'foobar', 'd', 'e', 'f', 'g'].map((file, index) => ({ file, index }));
  const tune = selectHalf(entries, 'tune');
  const report = selectHalf(entries, 'report');
  assert.ok(tune.every((e) => devSplit(e.file) === 'tune') && report.every((e) => devSplit(e.file) === 'report'));
  assert.equal(tune.length + report.length, entries.length);
  assert.deepEqual(tune.map((e) => e.index), [...tune.map((e) => e.index)].sort((x, y) => x - y));
  assert.deepEqual(selectHalf(entries, 'tune', 2), tune.slice(0, 2));
  // FNV-1a parities: a, c, foobar, e, g even (tune); b, d, f odd. The limit counts photos of the half.
  assert.deepEqual(selectHalf(entries, 'tune', 3).map((e) => e.file), ['a', 'c', 'foobar']);
  assert.deepEqual(selectHalf(entries, undefined, 3), entries.slice(0, 3));
});
