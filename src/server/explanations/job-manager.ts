/**
 * Background explanation jobs: a bounded number run at once (the rest wait in order), each in rounds with a
 * preview after every round (explain-in-rounds.ts). Records live in the JobStore; the uploaded image, the
 * running sum between rounds and the results live in `<data>/jobs/<id>/` under fixed names.
 * A job still queued or running when the server stopped is `interrupted` on the next start and can be
 * resumed from its last finished round (same seeds, so the same final map).
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeError, LrsalError } from '../../core/errors.js';
import { encodePng } from '../../io/image.js';
import { decodeNpy, encodeNpy } from '../../render/npy.js';
import { renderOverlay } from '../../render/overlay.js';
import { renderGreyMap } from './grey-map.js';
import { emptyRoundsState, explainInRounds, type RoundsState } from './explain-in-rounds.js';
import { explainOptionsOf, type JobParams } from './job-params.js';
import type { JobStore } from './job-store.js';
import type { JobRecord } from './job-types.js';
import type { ModelCatalog } from './model-catalog.js';

export const RESULT_FILES = ['input.png', 'overlay.png', 'map.npy', 'summary.json'] as const;
export type ResultFile = (typeof RESULT_FILES)[number];

export type JobEvent =
  | { type: 'progress'; queries: { done: number; total: number }; eta: number | null }
  | { type: 'preview'; rounds: { done: number; total: number }; queries: { done: number; total: number }; input: string; image: string }
  | { type: 'status'; job: ReturnType<JobManager['view']> };

interface Live {
  stop: AbortController;
  startedMs: number;
  queriesAtStart: number;
  lastEmit: number;
}

export interface JobManagerOptions {
  dataDir: string;
  concurrency: number;
  log?: (message: string) => void;
}

export class JobManager {
  private readonly queue: string[] = [];
  private readonly live = new Map<string, Live>();
  private readonly listeners = new Map<string, Set<(e: JobEvent) => void>>();
  private readonly running = new Set<Promise<void>>();
  private closing = false;

  private constructor(
    private readonly store: JobStore,
    private readonly catalog: ModelCatalog,
    private readonly options: JobManagerOptions,
  ) {}

  /** Open the manager; jobs left queued or running by a previous process become `interrupted`. */
  static async open(store: JobStore, catalog: ModelCatalog, options: JobManagerOptions): Promise<JobManager> {
    for (const job of store.list(10_000)) {
      if (job.status === 'queued' || job.status === 'running') await store.save({ ...job, status: 'interrupted' });
    }
    return new JobManager(store, catalog, options);
  }

  jobDir(id: string): string {
    return join(this.options.dataDir, 'jobs', id);
  }

  async submit(params: JobParams, rounds: number, image: Buffer, inputName: string): Promise<JobRecord> {
    const id = randomUUID();
    await mkdir(this.jobDir(id), { recursive: true });
    await writeFile(join(this.jobDir(id), 'upload.bin'), image);
    const job: JobRecord = {
      id,
      status: 'queued',
      createdAt: new Date().toISOString(),
      params,
      inputName: inputName.slice(0, 120),
      queries: { done: 0, total: params.queries },
      rounds: { done: 0, total: rounds },
    };
    await this.store.save(job);
    this.enqueue(id);
    return job;
  }

  get(id: string): JobRecord | undefined {
    return this.store.get(id);
  }

  list(): JobRecord[] {
    return this.store.list();
  }

  /** The job as the API shows it: record + ETA + result links. */
  view(job: JobRecord) {
    const live = this.live.get(job.id);
    let eta: number | null = null;
    if (live && job.status === 'running') {
      const done = job.queries.done - live.queriesAtStart;
      const seconds = (performance.now() - live.startedMs) / 1000;
      if (done > 0) eta = Math.round(((job.queries.total - job.queries.done) * seconds) / done * 10) / 10;
    }
    const base = `/v1/explanations/${job.id}`;
    // The crop the model saw exists from the first round on; the rest once there is a result.
    const files = job.result
      ? { input: `${base}/files/input.png`, overlay: `${base}/files/overlay.png`, map: `${base}/files/map.npy`, summary: `${base}/files/summary.json` }
      : job.rounds.done > 0 || job.prediction
        ? { input: `${base}/files/input.png` }
        : undefined;
    return { ...job, eta, links: { self: base, events: `${base}/events` }, ...(files ? { files } : {}) };
  }

  subscribe(id: string, listener: (e: JobEvent) => void): () => void {
    let set = this.listeners.get(id);
    if (!set) this.listeners.set(id, (set = new Set()));
    set.add(listener);
    return () => set!.delete(listener);
  }

  /** Cancel: a queued or interrupted job at once; a running one stops after its queries in flight. */
  async cancel(id: string): Promise<JobRecord | undefined> {
    const job = this.store.get(id);
    if (!job) return undefined;
    const live = this.live.get(id);
    if (live) live.stop.abort();
    else if (job.status === 'queued' || job.status === 'interrupted') {
      const i = this.queue.indexOf(id);
      if (i >= 0) this.queue.splice(i, 1);
      return this.finish({ ...job, status: 'cancelled', finishedAt: new Date().toISOString() });
    }
    return this.store.get(id);
  }

  /** Resume an interrupted job from its last finished round. */
  async resume(id: string): Promise<JobRecord | undefined> {
    const job = this.store.get(id);
    if (!job) return undefined;
    if (job.status !== 'interrupted') throw new LrsalError('INVALID_ARGUMENT', `only an interrupted job can be resumed; this one is ${job.status}`);
    const queued: JobRecord = { ...job, status: 'queued' };
    await this.store.save(queued);
    this.enqueue(id);
    return queued;
  }

  /** Stop every running job (each ends `interrupted`, resumable) and wait for them. */
  async close(): Promise<void> {
    this.closing = true;
    this.queue.length = 0;
    for (const live of this.live.values()) live.stop.abort();
    await Promise.allSettled([...this.running]);
  }

  private enqueue(id: string): void {
    this.queue.push(id);
    this.pump();
  }

  private pump(): void {
    while (!this.closing && this.live.size < this.options.concurrency && this.queue.length) {
      const id = this.queue.shift()!;
      const run = this.run(id).catch((error) => this.options.log?.(`job ${id}: ${describeError(error)}`));
      this.running.add(run);
      void run.finally(() => {
        this.running.delete(run);
        this.pump();
      });
    }
  }

  private emit(id: string, event: JobEvent): void {
    for (const listener of this.listeners.get(id) ?? []) listener(event);
  }

  private async finish(job: JobRecord): Promise<JobRecord> {
    await this.store.save(job);
    this.emit(job.id, { type: 'status', job: this.view(job) });
    return job;
  }

  private async run(id: string): Promise<void> {
    let job = this.store.get(id);
    if (!job || job.status !== 'queued') return;
    const dir = this.jobDir(id);
    const state = await this.loadState(dir, job);
    const live: Live = { stop: new AbortController(), startedMs: performance.now(), queriesAtStart: state.queriesDone, lastEmit: 0 };
    this.live.set(id, live);
    job = { ...job, status: 'running', startedAt: job.startedAt ?? new Date().toISOString(), queries: { ...job.queries, done: state.queriesDone }, rounds: { ...job.rounds, done: state.roundsDone } };
    await this.finish(job);
    try {
      const classifier = await this.catalog.classifier(job.params.model);
      const image = await readFile(join(dir, 'upload.bin'));
      const result = await explainInRounds(
        classifier,
        image,
        {
          ...explainOptionsOf(job.params),
          queries: job.params.queries,
          seed: job.params.seed,
          reduction: job.params.reduction,
          rounds: job.rounds.total,
          stopSignal: live.stop.signal,
          onProgress: (done, total) => {
            job = { ...job!, queries: { done, total } };
            const now = performance.now();
            if (now - live.lastEmit < 100 && done < total) return;
            live.lastEmit = now;
            const v = this.view(job);
            this.emit(id, { type: 'progress', queries: v.queries, eta: v.eta });
          },
          onRound: async (s, map, last) => {
            job = {
              ...job!,
              rounds: { done: s.roundsDone, total: job!.rounds.total },
              queries: { done: s.queriesDone, total: job!.queries.total },
            };
            // The crop first: the status below announces it.
            if (s.roundsDone === 1 || !existsSync(join(dir, 'input.png'))) await writeFile(join(dir, 'input.png'), await encodePng(last.image!));
            if (s.roundsDone === 1) job.prediction = { predictions: last.predictions, target: { index: last.target.index!, label: last.target.label } };
            if (s.roundsDone < job.rounds.total) {
              await this.saveState(dir, s);
              await this.store.save(job);
            }
            if (s.roundsDone === 1) this.emit(id, { type: 'status', job: this.view(job) }); // the prediction is known now
            const png = await renderGreyMap(last.image!.width, last.image!.height, map);
            this.emit(id, { type: 'preview', rounds: job.rounds, queries: job.queries, input: `/v1/explanations/${id}/files/input.png`, image: `data:image/png;base64,${png.toString('base64')}` });
          },
        },
        state,
      );
      if (!result.complete && this.closing) {
        await this.finish({ ...job, status: 'interrupted' });
        return;
      }
      const crop = (result.last?.image ?? (await classifier.prepare(image)).image)!;
      const first = result.last ?? job.prediction;
      const summary = {
        target: { index: result.state.target!, label: classifier.labels[result.state.target!]?.name ?? `class ${result.state.target}` },
        predictions: (first?.predictions ?? []).map((p) => ({ ...p, probability: Number(p.probability.toFixed(6)) })),
        method: job.params.method,
        gradient: job.params.method === 'rise' ? 'none' : job.params.gradient,
        queries: result.state.queriesDone,
        seconds: Number(((performance.now() - live.startedMs) / 1000).toFixed(3)),
        sigma: result.last?.sigma ?? 0,
        rounds: result.state.roundsDone,
        partial: !result.complete,
      };
      await writeFile(join(dir, 'input.png'), await encodePng(crop));
      await writeFile(join(dir, 'overlay.png'), await renderOverlay(crop, result.map));
      await writeFile(join(dir, 'map.npy'), encodeNpy(result.map, [crop.height, crop.width]));
      await writeFile(join(dir, 'summary.json'), JSON.stringify({ id, params: job.params, ...summary }, null, 2) + '\n');
      await rm(join(dir, 'state.npy'), { force: true });
      const { prediction: _prediction, ...finished } = job; // the result repeats the predictions
      await this.finish({ ...finished, status: result.complete ? 'done' : 'cancelled', finishedAt: new Date().toISOString(), queries: { done: summary.queries, total: job.queries.total }, result: summary });
    } catch (error) {
      const stopped = error instanceof LrsalError && error.code === 'ABORTED';
      const status = stopped ? (this.closing ? 'interrupted' : 'cancelled') : 'failed';
      let message = describeError(error);
      // A budget too small for the method is about one round's share: say so, and what to change.
      if (error instanceof LrsalError && error.code === 'INVALID_ARGUMENT' && job.rounds.total > 1) {
        message += ` (one round of ${job.rounds.total} has ${Math.floor(job.queries.total / job.rounds.total)} queries: ask for fewer rounds or more queries)`;
      }
      if (!stopped) this.options.log?.(`job ${id} failed: ${message}`);
      await this.finish({ ...job, status, ...(status !== 'interrupted' ? { finishedAt: new Date().toISOString() } : {}), ...(stopped ? {} : { error: message }) });
    } finally {
      this.live.delete(id);
    }
  }

  private async saveState(dir: string, s: RoundsState): Promise<void> {
    const { weightedSum, shape, ...rest } = s;
    await writeFile(join(dir, 'state.npy'), encodeNpy(weightedSum!, [shape!.channels, shape!.height, shape!.width]));
    await writeFile(join(dir, 'state.json'), JSON.stringify({ ...rest, shape }));
  }

  private async loadState(dir: string, job: JobRecord): Promise<RoundsState> {
    if (job.rounds.done === 0) return emptyRoundsState();
    try {
      const meta = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as Omit<RoundsState, 'weightedSum'>;
      if (meta.roundsDone !== job.rounds.done) return emptyRoundsState();
      return { ...meta, weightedSum: decodeNpy(await readFile(join(dir, 'state.npy'))).data };
    } catch {
      return emptyRoundsState();
    }
  }
}
