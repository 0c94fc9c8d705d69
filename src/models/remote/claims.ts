/**
 * Claims on requests in a shared answer cache, so that runs sharing one cache folder at the same time never buy
 * the same query twice: before sending, a run creates `<entry>.lock` exclusively (O_EXCL). A run that finds the
 * lock taken waits for the owner's answer instead, and takes the request over if the owner gives up (lock
 * removed without an answer) or died: a lock whose process is gone (same host) or that is older than `staleMs`
 * is stale.
 */
import { mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import type { AnswerCache } from './cache.js';

/** ours: we hold the lock (or locking is impossible here: go ahead alone); busy: a live run holds it. */
export type ClaimResult = 'ours' | 'busy';

export class RequestClaims {
  private readonly host = hostname();

  constructor(
    private readonly cache: AnswerCache,
    private readonly staleMs: number,
  ) {}

  async claim(key: string): Promise<ClaimResult> {
    const path = this.lockOf(key);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await mkdir(dirname(path), { recursive: true });
        const handle = await open(path, 'wx');
        await handle.writeFile(`${process.pid} ${this.host} ${Date.now()}`).finally(() => handle.close());
        return 'ours';
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return 'ours'; // cannot lock (read-only folder...): the cache write will report it
      }
      if (!(await this.isStale(path))) return 'busy';
      await unlink(path).catch(() => undefined); // a dead run's lock: take the request over
    }
    return 'busy';
  }

  async release(key: string): Promise<void> {
    await unlink(this.lockOf(key)).catch(() => undefined);
  }

  /** Whether the lock is gone or stale (then the caller may claim the request itself). */
  async isFree(key: string): Promise<boolean> {
    const path = this.lockOf(key);
    try {
      await stat(path);
    } catch {
      return true;
    }
    return this.isStale(path);
  }

  private async isStale(path: string): Promise<boolean> {
    try {
      const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
      const [pid, host] = text.split(' ');
      if (host === this.host && pid && !processAlive(Number(pid))) return true;
      return Date.now() - info.mtimeMs > this.staleMs;
    } catch {
      return true; // vanished (or torn while being written: its owner rewrites nothing, so it is safe to retry)
    }
  }

  private lockOf(key: string): string {
    return this.cache.pathOf(key).replace(/\.json$/, '.lock');
  }
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
