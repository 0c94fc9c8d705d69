/** An evaluation folder: images plus manifest.json, entries {"file","wnid","index"} (index = true class). */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { LrsalError } from '../core/errors.js';

const entrySchema = z.object({ file: z.string(), index: z.number().int().nonnegative(), wnid: z.string().optional() });

export interface ManifestEntry {
  path: string;
  file: string;
  index: number;
}

export async function readManifest(dir: string, limit?: number): Promise<ManifestEntry[]> {
  const path = join(dir, 'manifest.json');
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new LrsalError('FILE_NOT_FOUND', `cannot read ${path} (${(error as Error).message.split('\n')[0]})`);
  }
  const parsed = z.array(entrySchema).safeParse(json);
  if (!parsed.success) throw new LrsalError('INVALID_ARGUMENT', `${path}: expected a list of {"file","index"} entries`);
  const entries = parsed.data.map((e) => ({ path: join(dir, e.file), file: e.file, index: e.index }));
  return limit ? entries.slice(0, limit) : entries;
}

export function meanStd(values: readonly number[]): { mean: number; std: number } {
  const n = values.length;
  if (n === 0) return { mean: NaN, std: NaN };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, std: Math.sqrt(variance) };
}
