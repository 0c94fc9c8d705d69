/**
 * The explanation server (`lrsal serve`): the HTTP API of openapi.ts and the page in web/, one Fastify app.
 * Safe by default: loopback only unless a bearer token is set; uploads judged by their bytes and size;
 * every client error answered 4xx `{ error }` (never a stack trace); ids and file names checked against lists.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import { invalidArgument } from '../../core/errors.js';
import { packageRoot } from '../../models/config.js';
import { probabilities, topK } from '../../objectives/scores.js';
import { resolveTarget } from '../../objectives/target.js';
import { decodeNpy } from '../../render/npy.js';
import { deletionInsertionCurves, type Curves } from './curves.js';
import { HttpError, httpErrorOf } from './http-errors.js';
import { checkImage } from './image-upload.js';
import { defaultRounds, parseJobParams, requireRoundsFit } from './job-params.js';
import { JobManager, RESULT_FILES, type JobEvent, type ResultFile } from './job-manager.js';
import { JobStore } from './job-store.js';
import { ModelCatalog } from './model-catalog.js';
import { readForm, type Form } from './multipart-form.js';
import { openApiDocument } from './openapi.js';

export interface ServeOptions {
  dataDir: string;
  /** Interface the server will listen on: only used to insist on a token off loopback (default 127.0.0.1). */
  host?: string;
  token?: string;
  modelsDir?: string;
  /** Jobs running at once (default 1); more wait in a queue. */
  concurrency?: number;
  maxUploadBytes?: number;
  maxPixels?: number;
  maxQueries?: number;
  log?: (message: string) => void;
}

export const SERVE_DEFAULTS = { host: '127.0.0.1', concurrency: 1, maxUploadBytes: 10 * 1024 * 1024, maxPixels: 40_000_000, maxQueries: 50_000 };

const JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TERMINAL = new Set(['done', 'failed', 'cancelled', 'interrupted']);

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export interface ExplanationServer {
  app: FastifyInstance;
  jobs: JobManager;
  /** Stop jobs (they end `interrupted`, resumable), close the database and the models. */
  close(): Promise<void>;
}

export async function createExplanationServer(options: ServeOptions): Promise<ExplanationServer> {
  const o = { ...SERVE_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as Required<Omit<ServeOptions, 'token' | 'modelsDir' | 'log'>> & ServeOptions;
  if (!isLoopback(o.host) && !o.token) throw invalidArgument(`binding ${o.host} needs a token (--token or LRSAL_TOKEN): any host on the network could otherwise run jobs`);
  const log = o.log ?? (() => {});
  const catalog = await ModelCatalog.open(o.modelsDir, (m) => log(`warning: ${m}`));
  const store = await JobStore.open(o.dataDir);
  const jobs = await JobManager.open(store, catalog, { dataDir: o.dataDir, concurrency: o.concurrency, log });
  const examples = await loadExamples();

  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
  await app.register(multipart, { limits: { fileSize: o.maxUploadBytes } });
  await app.register(fastifyStatic, { root: join(packageRoot(), 'web'), prefix: '/', index: ['index.html'] });

  app.setErrorHandler((error, request, reply) => {
    const { status, message, exposed } = httpErrorOf(error);
    if (!exposed) log(`${request.method} ${request.url}: ${(error as Error)?.stack ?? String(error)}`);
    void reply.code(status).send({ error: message });
  });
  app.setNotFoundHandler((request, reply) => void reply.code(404).send({ error: `no route ${request.method} ${request.url.split('?')[0]!.slice(0, 100)}` }));

  if (o.token) {
    const expected = digest(o.token);
    app.addHook('onRequest', async (request) => {
      if (!request.url.startsWith('/v1/')) return; // the page and the OpenAPI document carry no data
      const header = request.headers.authorization ?? '';
      const given = /^Bearer (.+)$/.exec(header)?.[1];
      if (!given || !timingSafeEqual(digest(given), expected)) throw new HttpError(401, 'missing or wrong bearer token (Authorization: Bearer <token>)');
    });
  }

  const jobOr404 = (id: string) => {
    const job = JOB_ID.test(id) ? jobs.get(id) : undefined;
    if (!job) throw new HttpError(404, `no job ${id.slice(0, 60)}`);
    return job;
  };

  /** The image of a form: the uploaded file (checked) or a bundled example by name. */
  const imageOf = async (form: Form): Promise<{ bytes: Buffer; name: string }> => {
    const example = form.fields.example;
    delete form.fields.example;
    if (form.image && example !== undefined) throw new HttpError(400, 'give either an image file or an example, not both');
    if (form.image) {
      await checkImage(form.image.bytes, o.maxPixels);
      return { bytes: form.image.bytes, name: displayName(form.image.filename) };
    }
    if (example === undefined) throw new HttpError(400, 'no image: send a file in the field "image" or a bundled example name in "example"');
    const file = examples.get(example);
    if (!file) throw new HttpError(400, `unknown example "${example.slice(0, 60)}"; GET /v1/examples lists them`);
    return { bytes: await readFile(file), name: example };
  };

  app.get('/openapi.json', async () => openApiDocument());
  app.get('/v1/models', async () => ({ models: catalog.entries }));
  app.get('/v1/examples', async () => ({ examples: [...examples.keys()].map((name) => ({ name, url: `/v1/examples/${encodeURIComponent(name)}` })) }));
  app.get<{ Params: { name: string } }>('/v1/examples/:name', async (request, reply) => {
    const file = examples.get(request.params.name);
    if (!file) throw new HttpError(404, `no example ${request.params.name.slice(0, 60)}`);
    return reply.type('image/png').send(await readFile(file));
  });

  app.post('/v1/predictions', async (request) => {
    const form = await readForm(request, o.maxUploadBytes);
    const image = await imageOf(form);
    const { model = 'bundled', 'top-k': k = '5', ...rest } = form.fields;
    if (Object.keys(rest).length) throw new HttpError(400, `unknown field ${Object.keys(rest).map((f) => `"${f.slice(0, 40)}"`).join(', ')}`);
    const topCount = parseJobParams({ 'top-k': k }, o.maxQueries)['top-k']!;
    const classifier = await catalog.classifier(model);
    const { input } = await classifier.prepare(image.bytes);
    const scores = await classifier.model.scores(input, 1);
    const probs = probabilities(classifier.model.scoreKind, scores, 0, classifier.model.classes);
    return { model, predictions: topK(probs, topCount).map((index) => ({ index, label: classifier.labels[index]!.name, probability: probs[index]! })) };
  });

  app.post('/v1/explanations', async (request, reply) => {
    const form = await readForm(request, o.maxUploadBytes);
    const image = await imageOf(form);
    const params = parseJobParams(form.fields, o.maxQueries);
    const rounds = params.rounds ?? defaultRounds(params.queries);
    requireRoundsFit(params, rounds);
    const classifier = await catalog.classifier(params.model);
    if (params.target !== undefined) resolveTarget(params.target, classifier.labels, 0); // unknown class → 400 now, not a failed job
    const job = await jobs.submit(params, rounds, image.bytes, image.name);
    return reply.code(202).header('location', `/v1/explanations/${job.id}`).send(jobs.view(job));
  });

  app.get('/v1/explanations', async () => ({ jobs: jobs.list().map((job) => jobs.view(job)) }));
  app.get<{ Params: { id: string } }>('/v1/explanations/:id', async (request) => jobs.view(jobOr404(request.params.id)));
  app.delete<{ Params: { id: string } }>('/v1/explanations/:id', async (request, reply) => {
    jobOr404(request.params.id);
    const job = await jobs.cancel(request.params.id);
    return reply.code(202).send(jobs.view(job!));
  });
  app.post<{ Params: { id: string } }>('/v1/explanations/:id/resume', async (request, reply) => {
    jobOr404(request.params.id);
    const job = await jobs.resume(request.params.id);
    return reply.code(202).send(jobs.view(job!));
  });

  app.get<{ Params: { id: string; name: string }; Querystring: { download?: string } }>('/v1/explanations/:id/files/:name', async (request, reply) => {
    const job = jobOr404(request.params.id);
    const name = request.params.name as ResultFile;
    if (!RESULT_FILES.includes(name)) throw new HttpError(404, `no file ${name.slice(0, 60)}; files are ${RESULT_FILES.join(', ')}`);
    const path = join(jobs.jobDir(job.id), name);
    if (!(name === 'input.png' ? existsSync(path) : job.result)) throw new HttpError(409, `job ${job.id} has no ${name} yet (${job.status})`);
    const types: Record<ResultFile, string> = { 'input.png': 'image/png', 'overlay.png': 'image/png', 'map.npy': 'application/octet-stream', 'summary.json': 'application/json' };
    if (request.query.download !== undefined) void reply.header('content-disposition', `attachment; filename="lrsal-${job.id.slice(0, 8)}-${name}"`);
    return reply.type(types[name]).header('cache-control', 'no-cache').send(await readFile(path));
  });

  // Deletion/insertion curves: computed on the first request (one at a time per job), then read from curves.json.
  const curvesInFlight = new Map<string, Promise<Curves>>();
  app.get<{ Params: { id: string } }>('/v1/explanations/:id/curves', async (request) => {
    const job = jobOr404(request.params.id);
    if (!job.result) throw new HttpError(409, `job ${job.id} has no map yet (${job.status})`);
    const dir = jobs.jobDir(job.id);
    const file = join(dir, 'curves.json');
    if (existsSync(file)) return JSON.parse(await readFile(file, 'utf8')) as Curves;
    let pending = curvesInFlight.get(job.id);
    if (!pending) {
      pending = (async () => {
        const classifier = await catalog.classifier(job.params.model);
        const map = decodeNpy(await readFile(join(dir, 'map.npy'))).data;
        const curves = await deletionInsertionCurves(classifier, await readFile(join(dir, 'upload.bin')), map, job.result!.target.index);
        await writeFile(file, JSON.stringify(curves));
        return curves;
      })().finally(() => curvesInFlight.delete(job.id));
      curvesInFlight.set(job.id, pending);
    }
    return pending;
  });

  app.get<{ Params: { id: string } }>('/v1/explanations/:id/events', (request, reply) => {
    const job = jobOr404(request.params.id);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    const send = (e: JobEvent) => res.write(`event: ${e.type}\ndata: ${JSON.stringify(e.type === 'status' ? e.job : e)}\n\n`);
    send({ type: 'status', job: jobs.view(job) });
    if (TERMINAL.has(job.status)) return void res.end();
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    const unsubscribe = jobs.subscribe(job.id, (e) => {
      send(e);
      if (e.type === 'status' && TERMINAL.has(e.job.status)) stop();
    });
    function stop() {
      clearInterval(keepAlive);
      unsubscribe();
      res.end();
    }
    request.raw.on('close', stop);
  });

  return {
    app,
    jobs,
    async close() {
      await jobs.close();
      await app.close();
      await store.close();
      await catalog.dispose();
    },
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** A file name for display: its last path segment, printable characters only (never used as a path). */
function displayName(name: string): string {
  return (name.split(/[\\/]/).pop() ?? '').replace(/[^\p{L}\p{N} ._()-]/gu, '_').slice(0, 120) || 'upload';
}

async function loadExamples(): Promise<Map<string, string>> {
  const dir = join(packageRoot(), 'examples');
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Array<{ file: string }>;
  return new Map(manifest.map((e) => [e.file, join(dir, e.file)]));
}
