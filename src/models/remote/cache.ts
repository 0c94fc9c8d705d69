/**
 * On-disk answer cache: one small JSON file per answer, keyed by a SHA-256 of the exact request (endpoint,
 * model, prompt/parameters, image bytes). Each answer is written atomically (temp file + rename) as soon as it
 * arrives, so a killed run resumes without paying for the same query twice.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export class AnswerCache {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  /** Key of one request: `identity` names everything but the image (endpoint, model, prompt, parameters). */
  static key(identity: string, image: Buffer): string {
    return createHash('sha256').update(identity).update('\0').update(image).digest('hex');
  }

  async get<T>(key: string): Promise<T | undefined> {
    try {
      const entry = JSON.parse(await readFile(this.pathOf(key), 'utf8')) as { answer: T };
      return entry.answer;
    } catch {
      return undefined; // missing or torn entry: treat as a miss (rename makes torn entries very unlikely)
    }
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

  private pathOf(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }
}
