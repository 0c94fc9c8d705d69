/**
 * Job history in an embedded SQLite database (sql.js: SQLite compiled to WebAssembly, so no native build).
 * sql.js keeps the database in memory; every change is written to `<data>/jobs.sqlite` atomically (temp file
 * + rename), so a crash leaves either the old or the new file, never half of one.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import initSqlJs, { type Database } from 'sql.js';
import type { JobRecord } from './job-types.js';

export class JobStore {
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;

  private constructor(
    private readonly db: Database,
    private readonly file: string,
  ) {}

  static async open(dataDir: string): Promise<JobStore> {
    await mkdir(dataDir, { recursive: true });
    const SQL = await initSqlJs();
    const file = join(dataDir, 'jobs.sqlite');
    const db = existsSync(file) ? new SQL.Database(await readFile(file)) : new SQL.Database();
    db.run(`CREATE TABLE IF NOT EXISTS jobs (
      id TEXT PRIMARY KEY,
      created TEXT NOT NULL,
      status TEXT NOT NULL,
      record TEXT NOT NULL
    )`);
    return new JobStore(db, file);
  }

  /** Insert or replace a job, then persist. */
  async save(job: JobRecord): Promise<void> {
    this.db.run('INSERT OR REPLACE INTO jobs (id, created, status, record) VALUES (?, ?, ?, ?)', [job.id, job.createdAt, job.status, JSON.stringify(job)]);
    await this.persist();
  }

  get(id: string): JobRecord | undefined {
    const rows = this.db.exec('SELECT record FROM jobs WHERE id = ?', [id]);
    const value = rows[0]?.values[0]?.[0];
    return typeof value === 'string' ? (JSON.parse(value) as JobRecord) : undefined;
  }

  /** Newest first. */
  list(limit = 200): JobRecord[] {
    const rows = this.db.exec('SELECT record FROM jobs ORDER BY created DESC LIMIT ?', [limit]);
    return (rows[0]?.values ?? []).map((row) => JSON.parse(String(row[0])) as JobRecord);
  }

  /** Serialised writes: a write that starts while one is running is folded into the next one. */
  private persist(): Promise<void> {
    this.dirty = true;
    this.writing = this.writing.then(async () => {
      if (!this.dirty) return;
      this.dirty = false;
      const bytes = this.db.export();
      const temp = `${this.file}.${process.pid}.tmp`;
      await writeFile(temp, bytes);
      await rename(temp, this.file);
    });
    return this.writing;
  }

  async close(): Promise<void> {
    await this.writing;
    this.db.close();
  }
}
