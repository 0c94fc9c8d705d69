/** The explanation server's HTTP API (Fastify inject): every route, and every kind of bad request. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { explain } from '../src/explain/index.js';
import { loadClassifier } from '../src/models/classifier.js';
import { decodeNpy } from '../src/render/npy.js';
import { createExplanationServer, type ExplanationServer } from '../src/server/explanations/app.js';
import { hugePng, kitten, repoRoot, sharedAssets, tempDir } from './helpers/files.js';

const sharedModels = join(sharedAssets, 'models');
import { imagePart, multipart, postJob, waitFor } from './helpers/server.js';

let server: ExplanationServer;
const kittenBytes = readFileSync(kitten);

before(async () => {
  server = await createExplanationServer({ dataDir: tempDir(), maxUploadBytes: 200_000, maxPixels: 4_000_000, maxQueries: 5000 });
});
after(() => server.close());

test('POST /v1/explanations answers 202 with the job; it runs to done with overlay, raw map and summary', async () => {
  const { app } = server;
  const r = await postJob(app, { method: 'vanilla', queries: 120, seed: 4 }, imagePart(kittenBytes, 'kitten.png'));
  assert.equal(r.statusCode, 202, r.body);
  const job = r.json();
  assert.match(job.id, /^[0-9a-f-]{36}$/);
  assert.equal(r.headers.location, `/v1/explanations/${job.id}`);
  assert.ok(['queued', 'running'].includes(job.status));
  assert.deepEqual(job.queries, { done: 0, total: 120 });
  assert.equal(job.params.seed, 4);
  assert.equal(job.inputName, 'kitten.png');

  const done = await waitFor(app, job.id);
  assert.equal(done.status, 'done', done.error);
  assert.deepEqual(done.queries, { done: 120, total: 120 });
  assert.deepEqual(done.result!.target, { index: 281, label: 'tabby' });
  assert.equal(done.result!.rounds, 1);
  const overlay = await app.inject({ method: 'GET', url: done.files.overlay });
  assert.equal(overlay.statusCode, 200);
  assert.equal(overlay.headers['content-type'], 'image/png');
  assert.equal(overlay.rawPayload.subarray(1, 4).toString(), 'PNG');
  const npy = await app.inject({ method: 'GET', url: `${done.files.map}?download` });
  assert.match(String(npy.headers['content-disposition']), /^attachment; filename="lrsal-[0-9a-f]{8}-map\.npy"$/);
  const map = decodeNpy(npy.rawPayload);
  assert.deepEqual(map.shape, [224, 224]);
  const summary = (await app.inject({ method: 'GET', url: done.files.summary })).json();
  assert.equal(summary.queries, 120);
  assert.equal(summary.params.method, 'vanilla');

  const list = (await app.inject({ method: 'GET', url: '/v1/explanations' })).json();
  assert.ok(list.jobs.some((j: { id: string }) => j.id === job.id));

  // Deletion/insertion curves on request: 225 steps each for 224×224, probabilities in [0, 1], kept once computed.
  const curves = await app.inject({ method: 'GET', url: `/v1/explanations/${job.id}/curves` });
  assert.equal(curves.statusCode, 200, curves.body);
  const c = curves.json();
  assert.equal(c.target, 281);
  assert.equal(c.deletion.values.length, 225);
  assert.ok(c.deletion.values[0] > 0.5 && c.insertion.values.at(-1) > 0.5, 'the full image keeps the class');
  assert.ok(c.deletion.values.every((v: number) => v >= 0 && v <= 1));
  assert.deepEqual((await app.inject({ method: 'GET', url: `/v1/explanations/${job.id}/curves` })).json(), c);
});

test('one round gives exactly the map of explain() with the same options', async () => {
  const { app } = server;
  const done = await waitFor(app, (await postJob(app, { example: 'kitten_224.png', method: 'vanilla', gradient: 'lr', queries: 90, seed: 11, rounds: 1 })).json().id);
  assert.equal(done.status, 'done', done.error);
  const served = decodeNpy((await app.inject({ method: 'GET', url: done.files.map })).rawPayload).data;
  const classifier = await loadClassifier({ threads: 1 });
  try {
    const direct = await explain(classifier, kitten, { method: 'vanilla', gradient: 'lr', queries: 90, seed: 11 });
    assert.deepEqual(Buffer.from(served.buffer), Buffer.from(direct.map.buffer));
  } finally {
    await classifier.dispose();
  }
});

test('events: progress, a preview map per round, and the final status; the stream ends', async () => {
  const { app } = server;
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  const job = (await postJob(app, { example: 'fish.png', method: 'vanilla', queries: 300, rounds: 3 })).json();
  const response = await fetch(`${address}/v1/explanations/${job.id}/events`);
  assert.equal(response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  const events = (await response.text()).split('\n\n').filter(Boolean).map((chunk) => {
    const type = /^event: (.*)$/m.exec(chunk)?.[1];
    const data = /^data: (.*)$/m.exec(chunk)?.[1];
    return { type, data: data ? JSON.parse(data) : undefined };
  });
  const previews = events.filter((e) => e.type === 'preview');
  assert.deepEqual(previews.map((e) => e.data.rounds.done), [1, 2, 3]);
  assert.deepEqual(previews.map((e) => e.data.queries.done), [100, 200, 300]);
  const png = Buffer.from(previews[0]!.data.image.replace(/^data:image\/png;base64,/, ''), 'base64');
  assert.equal(png.subarray(1, 4).toString(), 'PNG');
  assert.ok(events.some((e) => e.type === 'progress' && e.data.queries.done > 0 && e.data.queries.done < 300));
  assert.equal(events.at(-1)!.type, 'status');
  assert.equal(events.at(-1)!.data.status, 'done');
});

test('DELETE cancels a queued job at once and a running one after its finished rounds (kept as a partial result)', async () => {
  const { app } = server;
  const running = (await postJob(app, { example: 'kitten_224.png', method: 'vanilla', queries: 5000, rounds: 50 })).json();
  const queued = (await postJob(app, { example: 'kitten_224.png', method: 'vanilla', queries: 100 })).json();
  assert.equal(queued.status, 'queued', 'one job at a time: the second waits');
  const cancelledQueued = await app.inject({ method: 'DELETE', url: `/v1/explanations/${queued.id}` });
  assert.equal(cancelledQueued.statusCode, 202);
  assert.equal(cancelledQueued.json().status, 'cancelled');
  await waitFor(app, running.id, (j) => j.rounds.done >= 1);
  assert.equal((await app.inject({ method: 'DELETE', url: `/v1/explanations/${running.id}` })).statusCode, 202);
  const stopped = await waitFor(app, running.id);
  assert.equal(stopped.status, 'cancelled');
  assert.equal(stopped.result!.partial, true);
  assert.ok(stopped.queries.done < 5000 && stopped.queries.done >= 100, `spent ${stopped.queries.done}`);
  assert.equal((await app.inject({ method: 'GET', url: stopped.files.overlay })).statusCode, 200);
});

test('GET /v1/models, /v1/examples, /openapi.json, the page', async () => {
  const { app } = server;
  const models = (await app.inject({ method: 'GET', url: '/v1/models' })).json().models;
  assert.equal(models[0].id, 'bundled');
  assert.equal(models[0].file, 'squeezenet1.1-fp32.onnx');
  assert.ok(!JSON.stringify(models).includes('/'), 'no server paths in the model list');
  const examples = (await app.inject({ method: 'GET', url: '/v1/examples' })).json().examples;
  assert.deepEqual(examples.map((e: { name: string }) => e.name).sort(), ['fish.png', 'kitten_224.png']);
  assert.equal((await app.inject({ method: 'GET', url: examples[0].url })).headers['content-type'], 'image/png');
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
  assert.equal(doc.openapi, '3.1.0');
  assert.ok(doc.paths['/v1/explanations'].post && doc.paths['/v1/explanations/{id}/events'].get);
  const page = await app.inject({ method: 'GET', url: '/' });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /<script type="module" src="\/app.js">/);
});

test('POST /v1/predictions: the top-k of an image', async () => {
  const body = multipart({ 'top-k': 3 }, imagePart(kittenBytes));
  const r = await server.app.inject({ method: 'POST', url: '/v1/predictions', payload: body.payload, headers: body.headers });
  assert.equal(r.statusCode, 200, r.body);
  const { predictions } = r.json();
  assert.equal(predictions.length, 3);
  assert.deepEqual({ index: predictions[0].index, label: predictions[0].label }, { index: 281, label: 'tabby' });
});

test('bad requests get a 4xx JSON error naming the problem', async () => {
  const { app } = server;
  const cases: Array<[string, Promise<{ statusCode: number; json(): { error: string } }>, number, RegExp]> = [
    ['not multipart', app.inject({ method: 'POST', url: '/v1/explanations', payload: { queries: 10 } }), 415, /multipart/],
    ['no image', postJob(app, { queries: 100 }), 400, /no image/],
    ['unknown example', postJob(app, { example: '../../package.json' }), 400, /unknown example/],
    ['not an image', postJob(app, {}, imagePart(Buffer.from('hello, I am text pretending to be a PNG'), 'x.png', 'image/png')), 415, /not an image/],
    ['truncated PNG', postJob(app, {}, imagePart(kittenBytes.subarray(0, 40))), 415, /not a readable PNG/],
    ['oversize upload', postJob(app, {}, imagePart(Buffer.concat([kittenBytes, Buffer.alloc(300_000)]))), 413, /large|limit/i],
    ['too many pixels', postJob(app, {}, imagePart(hugePng(5000))), 413, /megapixels/],
    ['unknown model', postJob(app, { example: 'fish.png', model: 'gpt-9' }), 400, /unknown model "gpt-9"/],
    ['queries not a number', postJob(app, { example: 'fish.png', queries: 'lots' }), 400, /queries/],
    ['queries too small', postJob(app, { example: 'fish.png', queries: 1 }), 400, /queries/],
    ['queries over the limit', postJob(app, { example: 'fish.png', queries: 100_000 }), 400, /queries/],
    ['negative seed', postJob(app, { example: 'fish.png', seed: -1 }), 400, /seed/],
    ['fractional steps', postJob(app, { example: 'fish.png', steps: 2.5 }), 400, /steps/],
    ['unknown method', postJob(app, { example: 'fish.png', method: 'magic' }), 400, /method/],
    ['IG baseline path', postJob(app, { example: 'fish.png', 'ig-baseline': '/etc/passwd' }), 400, /ig-baseline/],
    ['unknown field', postJob(app, { example: 'fish.png', colour: 'red' }), 400, /unknown field "colour"/],
    ['unknown target', postJob(app, { example: 'fish.png', target: 'unicorn' }), 400, /unicorn/],
    ['target out of range', postJob(app, { example: 'fish.png', target: '5000' }), 400, /out of range/],
    ['too many rounds', postJob(app, { example: 'fish.png', queries: 10, rounds: 6 }), 400, /rounds/],
    ['image and example', postJob(app, { example: 'fish.png' }, imagePart(kittenBytes)), 400, /either/],
    ['wrong file field', postJob(app, {}, { name: 'photo', filename: 'a.png', type: 'image/png', data: kittenBytes }), 400, /field "image"/],
    ['unknown job', app.inject({ method: 'GET', url: '/v1/explanations/00000000-0000-4000-8000-000000000000' }), 404, /no job/],
    ['path as job id', app.inject({ method: 'GET', url: '/v1/explanations/..%2F..%2Fetc' }), 404, /no job/],
    ['unknown route', app.inject({ method: 'GET', url: '/v1/nothing' }), 404, /no route/],
    ['bad top-k', app.inject({ method: 'POST', url: '/v1/predictions', ...asInject(multipart({ example: 'fish.png', 'top-k': 0 })) }), 400, /top-k/],
  ];
  for (const [name, pending, status, message] of cases) {
    const r = await pending;
    assert.equal(r.statusCode, status, `${name}: ${JSON.stringify(r.json())}`);
    const body = r.json();
    assert.deepEqual(Object.keys(body), ['error'], name);
    assert.match(body.error, message, name);
    assert.ok(!/\n\s+at /.test(body.error), `${name}: no stack trace`);
  }
  // Job-specific refusals.
  const job = await waitFor(app, (await postJob(app, { example: 'fish.png', method: 'vanilla', queries: 5000, rounds: 50 })).json().id, (j) => j.status === 'running');
  const early = await app.inject({ method: 'GET', url: `/v1/explanations/${job.id}/files/overlay.png` });
  assert.equal(early.statusCode, 409);
  assert.equal((await app.inject({ method: 'GET', url: `/v1/explanations/${job.id}/files/upload.bin` })).statusCode, 404);
  assert.equal((await app.inject({ method: 'GET', url: `/v1/explanations/${job.id}/curves` })).statusCode, 409);
  const resume = await app.inject({ method: 'POST', url: `/v1/explanations/${job.id}/resume` });
  assert.equal(resume.statusCode, 400);
  assert.match(resume.json().error, /only an interrupted job/);
  await app.inject({ method: 'DELETE', url: `/v1/explanations/${job.id}` });
  await waitFor(app, job.id);
});

test('off loopback a token is required: refused without one, 401 without the header, 200 with it', async () => {
  await assert.rejects(createExplanationServer({ dataDir: tempDir(), host: '0.0.0.0' }), /needs a token/);
  const guarded = await createExplanationServer({ dataDir: tempDir(), host: '0.0.0.0', token: 's3cret' });
  try {
    const { app } = guarded;
    const missing = await app.inject({ method: 'GET', url: '/v1/explanations' });
    assert.equal(missing.statusCode, 401);
    assert.match(missing.json().error, /bearer token/);
    assert.equal((await app.inject({ method: 'GET', url: '/v1/models', headers: { authorization: 'Bearer wrong' } })).statusCode, 401);
    assert.equal((await postJob(app, { example: 'fish.png' })).statusCode, 401);
    assert.equal((await app.inject({ method: 'GET', url: '/v1/models', headers: { authorization: 'Bearer s3cret' } })).statusCode, 200);
    assert.equal((await app.inject({ method: 'GET', url: '/' })).statusCode, 200, 'the page itself carries no data');
  } finally {
    await guarded.close();
  }
});

function asInject(body: { payload: Buffer; headers: Record<string, string> }) {
  return { payload: body.payload, headers: body.headers };
}

test('--models DIR: its .onnx files are offered by id (no paths), and a job runs on one', { skip: !existsSync(sharedModels) && `no ${sharedModels}` }, async () => {
  const withModels = await createExplanationServer({ dataDir: tempDir(), modelsDir: sharedModels });
  try {
    const { app } = withModels;
    const models = (await app.inject({ method: 'GET', url: '/v1/models' })).json().models;
    const mobilenet = models.find((m: { id: string }) => /mobilenet/i.test(m.id));
    assert.ok(mobilenet, JSON.stringify(models));
    assert.equal(mobilenet.source, 'directory');
    assert.ok(!JSON.stringify(models).includes(sharedModels), 'no server paths in the model list');
    const done = await waitFor(app, (await postJob(app, { example: 'kitten_224.png', model: mobilenet.id, method: 'vanilla', queries: 40 })).json().id);
    assert.equal(done.status, 'done', done.error);
    assert.equal(done.params.model, mobilenet.id);
  } finally {
    await withModels.close();
  }
});

test('lrsal serve refuses a non-loopback host without a token (exit 2, one line)', () => {
  const r = spawnSync(process.execPath, [join(repoRoot, 'dist', 'src', 'cli', 'main.js'), 'serve', '--host', '0.0.0.0', '--port', '0', '--data', tempDir()], { encoding: 'utf8', env: { ...process.env, LRSAL_TOKEN: '' }, timeout: 60_000 });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^lrsal: binding 0\.0\.0\.0 needs a token/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
});

test('a job the method cannot run within its rounds fails with the reason, and the server goes on', async () => {
  const { app } = server;
  const failed = await waitFor(app, (await postJob(app, { example: 'fish.png', method: 'ig', steps: 150, queries: 300 })).json().id);
  assert.equal(failed.status, 'failed');
  assert.match(failed.error ?? '', /ig with the blockwise gradient needs at least \d+ queries .*got queries 100 \(one round of 3 has 100 queries: ask for fewer rounds or more queries\)/);
  assert.equal(failed.files, undefined);
  const next = await waitFor(app, (await postJob(app, { example: 'fish.png', method: 'vanilla', queries: 30 })).json().id);
  assert.equal(next.status, 'done');
});
