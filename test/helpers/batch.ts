/** Batch test helpers: a small image folder, batches run in-process, and a throwaway redis-server. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { EXPLAIN_DEFAULTS } from '../../src/explain/index.js';
import { batchImages, runBatch, type BatchOutcome } from '../../src/batch/coordinator.js';
import type { BatchExplainOptions } from '../../src/batch/image-runs.js';
import { classifierCache, onnxPathOf, sha256File } from '../../src/batch/models.js';
import type { TaskRunner } from '../../src/batch/runners.js';
import { BatchStore } from '../../src/batch/store.js';
import type { ModelSpec } from '../../src/batch/tasks.js';
import { repoRoot, tempDir } from './files.js';

export const cli = join(repoRoot, 'dist', 'src', 'cli', 'main.js');

/** A folder with the two example photos. */
export function exampleFolder(): string {
  const dir = tempDir();
  for (const f of ['kitten_224.png', 'fish.png']) copyFileSync(join(repoRoot, 'examples', f), join(dir, f));
  return dir;
}

export async function bundledModel(): Promise<ModelSpec> {
  return { sha256: await sha256File(await onnxPathOf(undefined)) };
}

/** Run a batch of `input` into `out` with `runner`; closes the runner. */
export async function batch(input: string[], out: string, options: BatchExplainOptions & { queries: number }, runner: TaskRunner, extra: { chunksPerShard?: number; sendImages?: boolean } = {}): Promise<BatchOutcome> {
  const model = await bundledModel();
  const store = new BatchStore(out);
  const o = { ...EXPLAIN_DEFAULTS, ...options };
  await store.open({ options: o, model, chunksPerShard: extra.chunksPerShard ?? 2 });
  const local = classifierCache();
  try {
    return await runBatch({ images: batchImages(input), options: o, model, store, runner, classifier: () => local.resolve(model), ...extra });
  } finally {
    await runner.close();
    await local.dispose();
  }
}

/** name → .npy bytes of a result folder. */
export function maps(out: string): Map<string, Buffer> {
  return new Map(readdirSync(out).filter((f) => f.endsWith('.npy')).sort().map((f) => [f, readFileSync(join(out, f))]));
}

export function summaries(out: string): Array<Record<string, unknown>> {
  return readFileSync(join(out, 'summaries.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

export const hasRedis = spawnSync('redis-server', ['--version']).status === 0;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** A redis-server on `port` (a free one by default), without persistence. */
export async function startRedis(port?: number): Promise<{ url: string; port: number; process: ChildProcess; stop(): Promise<void> }> {
  const p = port ?? (await freePort());
  const child = spawn('redis-server', ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.includes('Ready to accept connections')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`redis-server exited (${code}): ${text.slice(-300)}`)));
  });
  return {
    url: `redis://127.0.0.1:${p}`,
    port: p,
    process: child,
    stop: () => stopProcess(child),
  };
}

/** `lrsal worker` as a child process. */
export function startWorkerProcess(url: string, args: string[] = []): ChildProcess {
  return spawn(process.execPath, [cli, 'worker', '--redis', url, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

export function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
