/**
 * A batch's result folder, which is also its resume state:
 *   batch.json            the configuration (a rerun with another one is refused: its maps would not match)
 *   summaries.jsonl       one line per finished image (written last: a listed image is done)
 *   <name>.png / .npy     overlay and raw map per image
 *   errors.jsonl          images that failed (retried on the next run)
 *   .partial/<name>/      plan.json and one <shard id>.sums file per finished shard, deleted once merged
 * Every file is written to a temporary name and renamed, so a kill leaves either the old file or the new one.
 * Shard files are keyed by shard id: a shard computed twice (a worker that died after finishing) overwrites
 * itself with the same bytes, so it counts once.
 */
import { createHash } from 'node:crypto';
import { appendFile, mkdir, readFile, readdir, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LrsalError } from '../core/errors.js';
import type { ChunkSum } from '../gradients/shard-ledger.js';
import type { PreparedImage } from './image-runs.js';

export interface ImageSummary {
  image: string;
  name: string;
  [key: string]: unknown;
}

export async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(temporary, data);
  await rename(temporary, path);
}

export class BatchStore {
  constructor(readonly dir: string) {}

  /** Create the folder, or check that it holds a batch of the same configuration. */
  async open(config: unknown): Promise<void> {
    await mkdir(join(this.dir, '.partial'), { recursive: true });
    const path = join(this.dir, 'batch.json');
    const wanted = JSON.stringify(config, null, 2);
    let existing: string | undefined;
    try {
      existing = await readFile(path, 'utf8');
    } catch {
      await writeAtomic(path, wanted);
      return;
    }
    if (existing !== wanted) {
      throw new LrsalError('INVALID_ARGUMENT', `${this.dir} holds a batch with another configuration (see its batch.json); choose another --out or the same options`);
    }
  }

  /** Names of finished images. Drops a last line cut short by a kill. */
  async finished(): Promise<Set<string>> {
    const path = join(this.dir, 'summaries.jsonl');
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      return new Set();
    }
    const cut = text.lastIndexOf('\n') + 1;
    if (cut < text.length) {
      await truncate(path, Buffer.byteLength(text.slice(0, cut)));
      text = text.slice(0, cut);
    }
    const done = new Set<string>();
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        done.add((JSON.parse(line) as ImageSummary).name);
      } catch {
        // A corrupt line names no image: that image is simply redone.
      }
    }
    return done;
  }

  async finish(summary: ImageSummary, png: Uint8Array, npy: Uint8Array): Promise<void> {
    await writeAtomic(join(this.dir, `${summary.name}.png`), png);
    await writeAtomic(join(this.dir, `${summary.name}.npy`), npy);
    await appendFile(join(this.dir, 'summaries.jsonl'), JSON.stringify(summary) + '\n');
    await rm(this.partialDir(summary.name), { recursive: true, force: true });
  }

  async fail(name: string, image: string, error: string): Promise<void> {
    await appendFile(join(this.dir, 'errors.jsonl'), JSON.stringify({ name, image, error, at: new Date().toISOString() }) + '\n');
  }

  async readPlan(name: string): Promise<PreparedImage | undefined> {
    try {
      return JSON.parse(await readFile(join(this.partialDir(name), 'plan.json'), 'utf8')) as PreparedImage;
    } catch {
      return undefined;
    }
  }

  async writePlan(name: string, prepared: PreparedImage): Promise<void> {
    await mkdir(this.partialDir(name), { recursive: true });
    await writeAtomic(join(this.partialDir(name), 'plan.json'), JSON.stringify(prepared));
  }

  /** Shard ids already stored for an image. */
  async storedShards(name: string): Promise<Set<string>> {
    try {
      return new Set((await readdir(this.partialDir(name))).filter((f) => f.endsWith('.sums')).map((f) => f.slice(0, -'.sums'.length)));
    } catch {
      return new Set();
    }
  }

  async writeShard(name: string, id: string, sums: ChunkSum[]): Promise<void> {
    await mkdir(this.partialDir(name), { recursive: true });
    await writeAtomic(join(this.partialDir(name), `${id}.sums`), encodeSums(sums));
  }

  async readShard(name: string, id: string): Promise<ChunkSum[]> {
    return decodeSums(await readFile(join(this.partialDir(name), `${id}.sums`)));
  }

  private partialDir(name: string): string {
    return join(this.dir, '.partial', name);
  }
}

/** [header length u32][JSON header][float64 sums, 8-byte aligned][sha256 of everything before]. */
export function encodeSums(sums: ChunkSum[]): Uint8Array {
  const header = Buffer.from(JSON.stringify(sums.map((s) => ({ estimate: s.estimate, chunk: s.chunk, queries: s.queries, length: s.sum.length }))));
  const headerBytes = Math.ceil((4 + header.length) / 8) * 8;
  const floats = sums.reduce((n, s) => n + s.sum.length, 0);
  const body = Buffer.alloc(headerBytes + floats * 8);
  body.writeUInt32LE(header.length, 0);
  header.copy(body, 4);
  let offset = headerBytes;
  for (const s of sums) {
    Buffer.from(s.sum.buffer, s.sum.byteOffset, s.sum.byteLength).copy(body, offset);
    offset += s.sum.byteLength;
  }
  return Buffer.concat([body, createHash('sha256').update(body).digest()]);
}

export function decodeSums(data: Uint8Array): ChunkSum[] {
  const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const body = buffer.subarray(0, buffer.length - 32);
  if (buffer.length < 36 || !createHash('sha256').update(body).digest().equals(buffer.subarray(buffer.length - 32))) {
    throw new LrsalError('SHARD_INCOMPLETE', 'a stored shard is corrupt (checksum mismatch)');
  }
  const length = body.readUInt32LE(0);
  const header = JSON.parse(body.subarray(4, 4 + length).toString()) as Array<{ estimate: number; chunk: number; queries: number; length: number }>;
  let offset = Math.ceil((4 + length) / 8) * 8;
  return header.map((h) => {
    const sum = new Float64Array(h.length);
    Buffer.from(sum.buffer).set(body.subarray(offset, offset + h.length * 8));
    offset += h.length * 8;
    return { estimate: h.estimate, chunk: h.chunk, queries: h.queries, sum };
  });
}
