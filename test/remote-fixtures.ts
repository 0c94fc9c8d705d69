/** Shared set-up of the remote adapter tests: the bundled classifier, the kitten as a raw-pixel input, temp caches. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadImage } from '../src/io/image.js';
import { loadClassifier, type Classifier } from '../src/models/classifier.js';
import { packageRoot } from '../src/models/config.js';
import type { RemoteOptions } from '../src/models/remote/options.js';
import { rgbToChw } from '../src/models/remote/png.js';
import { startStandInServer, type StandInApi, type StandInServer } from '../src/stand-in/stand-in.js';
import type { StandInFaults } from '../src/stand-in/faults.js';

export const SHAPE = { channels: 3, height: 224, width: 224 };

export async function kittenInput(): Promise<Float32Array> {
  return rgbToChw(await loadImage(resolve(packageRoot(), 'examples', 'kitten_224.png')));
}

/** `count` distinct copies of `base` (copy i has a few pixels nudged), back to back. */
export function copies(base: Float32Array, count: number, salt = 0): Float32Array {
  const out = new Float32Array(base.length * count);
  for (let i = 0; i < count; i++) {
    out.set(base, i * base.length);
    for (let j = 0; j < 4; j++) {
      const at = i * base.length + ((i * 9973 + j * 50021 + salt * 7919) % base.length);
      out[at] = (out[at]! + 37 + i + salt) % 256;
    }
  }
  return out;
}

export async function tempDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'lrsal-remote-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Fast, test-friendly adapter options: no rate cap, short backoff, a private cache folder. */
export function fastOptions(cacheDir: string | false, extra: RemoteOptions = {}): RemoteOptions {
  return { inputShape: SHAPE, concurrency: 4, requestsPerSecond: Infinity, timeoutMs: 10_000, retries: 3, backoffMs: 5, maxBackoffMs: 5_000, cacheDir, ...extra };
}

let shared: Promise<Classifier> | undefined;
export function sharedClassifier(): Promise<Classifier> {
  shared ??= loadClassifier({ threads: 2 });
  return shared;
}

export async function withServer<T>(api: StandInApi, faults: StandInFaults, run: (server: StandInServer) => Promise<T>): Promise<T> {
  const server = await startStandInServer({ classifier: await sharedClassifier(), api, port: 0, faults });
  try {
    return await run(server);
  } finally {
    await server.close();
  }
}
