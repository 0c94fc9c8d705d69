/** Bad and odd input files, made in a temporary folder. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { deflateSync } from 'node:zlib';
import { packageRoot } from '../../src/models/config.js';

export const repoRoot = packageRoot();
export const sharedAssets = resolve(repoRoot, '..', 'shared', 'assets');
export const devImages = join(sharedAssets, 'images', 'dev');
export const kitten = join(repoRoot, 'examples', 'kitten_224.png');

/**
 * A test's skip reason when a file outside the repository (../shared: dev photos, other models) is missing,
 * as on a fresh clone; false when it is there. CI has ../shared and runs everything.
 */
export function missingShared(path: string): string | false {
  return existsSync(path) ? false : `needs ${path.replace(resolve(repoRoot, '..') + '/', '../')} (not in a bare clone)`;
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'lrsal-test-'));
}

function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A small file whose PNG header claims `side`×`side` pixels: a decompression bomb in miniature. */
export function hugePng(side: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([sig, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(1024))), chunk('IEND', Buffer.alloc(0))]);
}

/** The first half of a real JPEG (the bundled kitten re-encoded by sharp, so no file outside the repo is needed). */
export function truncatedJpeg(): Buffer {
  const script = `import sharp from 'sharp'; process.stdout.write(await sharp(${JSON.stringify(kitten)}).jpeg({ quality: 90 }).toBuffer());`;
  const full = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: repoRoot, maxBuffer: 1 << 24 });
  return full.subarray(0, Math.floor(full.length / 2));
}

export function writeTemp(dir: string, name: string, data: Buffer | string): string {
  const path = join(dir, name);
  writeFileSync(path, data);
  return path;
}
