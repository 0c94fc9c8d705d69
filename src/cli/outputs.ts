/**
 * Output files, all or none. Before the first (possibly paid) query, prepareOutputs() checks that every output
 * can be written: not the input image itself, its folder creatable and writable. After the run,
 * writeAllOrNone() writes each file to a temporary file in its own folder and renames them into place only
 * once all were written, so a full disk leaves no truncated PNG and no .png without its .npy.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, open, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { LrsalError } from '../core/errors.js';

export interface OutputFile {
  path: string;
  data: Uint8Array;
}

/** Where `lrsal explain` writes: the overlay PNG (--out, else out/<image>.<tag>.png) and the raw map beside it. */
export function explainOutputPaths(imagePath: string, out: string | undefined, tag: string): { overlay: string; map: string } {
  const overlay = out ?? join('out', `${basename(imagePath, extname(imagePath))}.${tag}.png`);
  return { overlay, map: overlay.replace(/\.png$/i, '') + '.npy' };
}

/** Filesystems whose folders are not for files (recursive mkdir spins forever on /proc under Node 20). */
const VIRTUAL_ROOTS = ['/proc', '/sys'];

/**
 * Throws OUTPUT_UNWRITABLE (or INVALID_ARGUMENT for an output that is an input) unless every path can be
 * written; creates missing folders, one level at a time.
 */
export async function prepareOutputs(paths: readonly string[], inputs: readonly string[] = []): Promise<void> {
  const inputsReal = await Promise.all(inputs.map(canonical));
  const seen = new Set<string>();
  for (const path of paths) {
    const real = await canonical(path);
    if (inputsReal.includes(real)) {
      throw new LrsalError('INVALID_ARGUMENT', `output ${path} is the input image; choose another --out (the input is never overwritten)`);
    }
    if (seen.has(real)) throw new LrsalError('INVALID_ARGUMENT', `two outputs would be written to ${path}`);
    seen.add(real);
    const existing = await stat(path).catch(() => undefined);
    if (existing?.isDirectory()) throw new LrsalError('OUTPUT_UNWRITABLE', `output ${path} is a folder; give a file name`);
    await ensureFolder(dirname(resolve(path)), path);
  }
  for (const dir of new Set(paths.map((p) => dirname(resolve(p))))) await probeWritable(dir);
}

/** Write every file (temporary file + rename, in the same folder), or none of them. */
export async function writeAllOrNone(files: readonly OutputFile[]): Promise<void> {
  const temps: string[] = [];
  try {
    for (const file of files) {
      const temp = tempNameFor(file.path);
      temps.push(temp);
      await writeDurably(temp, file.data);
    }
  } catch (error) {
    await Promise.all(temps.map((t) => unlink(t).catch(() => {})));
    throw new LrsalError('OUTPUT_UNWRITABLE', `could not write ${files.map((f) => f.path).join(' and ')} (${reason(error)}); nothing was written`, { cause: error });
  }
  const renamed: string[] = [];
  try {
    for (let i = 0; i < files.length; i++) {
      await rename(temps[i]!, files[i]!.path);
      renamed.push(files[i]!.path);
    }
  } catch (error) {
    // Rare (a rename in one folder fails only if the target changed meanwhile): undo so no half set remains.
    await Promise.all([...temps.slice(renamed.length), ...renamed].map((t) => unlink(t).catch(() => {})));
    throw new LrsalError('OUTPUT_UNWRITABLE', `could not write ${files.map((f) => f.path).join(' and ')} (${reason(error)}); nothing was written`, { cause: error });
  }
}

async function writeDurably(path: string, data: Uint8Array): Promise<void> {
  const handle = await open(path, 'wx', 0o644);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function tempNameFor(path: string): string {
  return join(dirname(resolve(path)), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** The folder exists (created level by level, never with recursive mkdir) and is not a virtual filesystem. */
async function ensureFolder(dir: string, forPath: string): Promise<void> {
  const virtual = VIRTUAL_ROOTS.find((root) => dir === root || dir.startsWith(root + '/'));
  if (virtual) throw new LrsalError('OUTPUT_UNWRITABLE', `cannot write ${forPath}: ${virtual} is a virtual filesystem, not a place for files`);
  const missing: string[] = [];
  let at = dir;
  for (;;) {
    const s = await stat(at).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : Promise.reject(unwritable(forPath, error))));
    if (s) {
      if (!s.isDirectory()) throw new LrsalError('OUTPUT_UNWRITABLE', `cannot write ${forPath}: ${at} is a file, not a folder`);
      break;
    }
    missing.push(at);
    const parent = dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const folder of missing.reverse()) {
    await mkdir(folder).catch((error: NodeJS.ErrnoException) => (error.code === 'EEXIST' ? undefined : Promise.reject(unwritable(forPath, error))));
  }
}

/** access(W_OK) can be fooled (read-only mounts, ACLs): create and remove a file instead. */
async function probeWritable(dir: string): Promise<void> {
  const probe = join(dir, `.lrsal-write-check.${process.pid}.${randomBytes(4).toString('hex')}`);
  try {
    await access(dir, constants.W_OK | constants.X_OK);
    const handle = await open(probe, 'wx');
    await handle.close();
    await unlink(probe);
  } catch (error) {
    throw new LrsalError('OUTPUT_UNWRITABLE', `cannot write to the output folder ${dir} (${reason(error)}); nothing was queried`);
  }
}

/** The path with symlinks resolved as far as it exists (so ./a.png and a link to it compare equal). */
async function canonical(path: string): Promise<string> {
  const absolute = resolve(path);
  try {
    return await realpath(absolute);
  } catch {
    try {
      return join(await realpath(dirname(absolute)), basename(absolute));
    } catch {
      return absolute;
    }
  }
}

function unwritable(path: string, error: NodeJS.ErrnoException): LrsalError {
  return new LrsalError('OUTPUT_UNWRITABLE', `cannot create the folder for ${path} (${reason(error)})`);
}

function reason(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  const known: Record<string, string> = { ENOSPC: 'disk full', EACCES: 'permission denied', EROFS: 'read-only filesystem', EISDIR: 'a folder is in the way', ENOENT: 'no such folder', EPERM: 'not permitted', EDQUOT: 'disk quota exceeded' };
  return (e?.code && known[e.code]) ?? (e?.message ?? String(error)).split('\n')[0]!;
}
