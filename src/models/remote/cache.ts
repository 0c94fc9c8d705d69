/**
 * On-disk answer cache: one small JSON file per answer, keyed by a SHA-256 of the exact request (endpoint,
 * model, prompt/parameters, image bytes). Each answer is written atomically (temp file + rename) as soon as it
 * arrives, so a killed run resumes without paying for the same query twice. Entries are validated on read: one
 * that is not an entry of the expected shape (hand-edited, truncated, another version) is reported as bad
 * and treated as a miss, so the query is bought again and the entry overwritten.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';

export type CacheRead<T> = { kind: 'hit'; answer: T } | { kind: 'miss' } | { kind: 'bad'; path: string; reason: string };

export class AnswerCache {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  /** Key of one request: `identity` names everything but the image (endpoint, model, prompt, parameters). */
  static key(identity: string, image: Buffer): string {
    return createHash('sha256').update(identity).update('\0').update(image).digest('hex');
  }

  /** The entry of `key` if present and its answer matches `schema`. */
  async read<T>(key: string, schema: z.ZodType<T>): Promise<CacheRead<T>> {
    const path = this.pathOf(key);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'miss' }; // no entry (ENOTDIR: the folder is a file; writes report that)
      return { kind: 'bad', path, reason: `unreadable: ${(error as Error).message}` };
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { kind: 'bad', path, reason: 'not JSON' };
    }
    const entry = z.object({ answer: schema }).safeParse(json);
    if (!entry.success) {
      const issue = entry.error.issues[0];
      return { kind: 'bad', path, reason: `not an answer of the expected shape (${issue ? `${['entry', ...issue.path].join('.')}: ${issue.message}` : 'invalid'})` };
    }
    return { kind: 'hit', answer: entry.data.answer as T };
  }

  async put(key: string, answer: unknown): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(join(this.dir, key.slice(0, 2)), { recursive: true });
    const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeFile(temp, JSON.stringify({ answer, savedAt: new Date().toISOString() }));
      await rename(temp, path);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
  }

  pathOf(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }
}
