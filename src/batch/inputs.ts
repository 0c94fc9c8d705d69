/** The images of a batch: every JPEG/PNG/WebP of a folder, or the files a manifest.json lists. */
import { readFile, readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { LrsalError, invalidArgument } from '../core/errors.js';

const IMAGE = /\.(jpe?g|png|webp)$/i;

/** Image paths in a stable order (folder: sorted by name; manifest: as listed, relative to the manifest). */
export async function listBatchImages(input: string): Promise<string[]> {
  let info;
  try {
    info = await stat(input);
  } catch {
    throw new LrsalError('FILE_NOT_FOUND', `no such folder or manifest: ${input}`);
  }
  let paths: string[];
  if (info.isDirectory()) {
    paths = (await readdir(input)).filter((f) => IMAGE.test(f)).sort().map((f) => join(input, f));
  } else {
    let entries: unknown;
    try {
      entries = JSON.parse(await readFile(input, 'utf8'));
    } catch (error) {
      throw invalidArgument(`${input} is not a JSON manifest (${(error as Error).message.split('\n')[0]})`);
    }
    if (!Array.isArray(entries)) throw invalidArgument(`${input}: a manifest is a JSON list of file names or {"file": ...} objects`);
    paths = entries.map((e, i) => {
      const file = typeof e === 'string' ? e : e && typeof e === 'object' && typeof (e as { file?: unknown }).file === 'string' ? (e as { file: string }).file : undefined;
      if (!file) throw invalidArgument(`${input}: entry ${i} names no file`);
      return resolve(dirname(input), file);
    });
  }
  if (paths.length === 0) throw invalidArgument(`${input} holds no images (.jpg, .png, .webp)`);
  return paths;
}
