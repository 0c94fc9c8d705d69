/** Hard-label and text-answer saliency maps of black boxes behind real HTTP (the stand-in servers). */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { LrsalError } from '../src/core/errors.js';
import { packageRoot } from '../src/models/config.js';
import { openAiEmbeddings } from '../src/models/remote/openai-embeddings.js';
import { openAiChatModel } from '../src/models/remote/openai-chat.js';
import { visionApiModel } from '../src/models/remote/vision-api.js';
import { explain } from '../src/explain/index.js';
import { startStandInServer } from '../src/stand-in/stand-in.js';
import { fastOptions, sharedClassifier, tempDir, withServer } from './remote-fixtures.js';

after(async () => (await sharedClassifier()).dispose());

const kitten = join(packageRoot(), 'examples', 'kitten_224.png');
// σ large enough that noise flips the confident kitten's hard label (see docs/results.md).
const mapOptions = { target: 'tabby cat', method: 'vanilla' as const, gradient: 'lr' as const, sigma: 48, queries: 60, seed: 2 };

test('a hard-label map of a label API over HTTP', async () => {
  await withServer('vision', {}, async (server) => {
    const model = visionApiModel({ ...fastOptions(false), endpoint: server.url, maxResults: 1 });
    const r = await explain(model, kitten, mapOptions);
    assert.equal(r.objective, 'label');
    assert.equal(r.target.wnid, 'n02123045');
    assert.match(r.answer ?? "", /^tabby/);
    assert.equal(r.valueAtX, 0);
    assert.equal(r.queries, 60);
    assert.equal(server.images, 60 - r.cacheHits);
    assert.ok(r.map.some((v) => v !== 0), 'some noisy copies changed the label');
  });
});

test('a text-answer map of a vision chat model over HTTP (prompt objective)', async () => {
  await withServer('openai', {}, async (server) => {
    const model = openAiChatModel({ ...fastOptions(false), endpoint: `${server.url}/v1`, model: 'any-model' });
    const r = await explain(model, kitten, mapOptions);
    assert.equal(r.objective, 'prompt');
    assert.match(r.answer ?? "", /belongs to tabby/);
    assert.equal(r.queries, 60);
    assert.ok(r.map.some((v) => v !== 0));
  });
});

test('a semantic map: cosine of answer and target embeddings (offline provider, and the stand-in /v1/embeddings)', async () => {
  await withServer('openai', {}, async (server) => {
    const model = openAiChatModel({ ...fastOptions(false), endpoint: `${server.url}/v1`, model: 'any-model' });
    const offline = await explain(model, kitten, { ...mapOptions, objective: 'semantic', target: 'a tabby cat', question: 'What animal is this?' });
    assert.equal(offline.objective, 'semantic');
    assert.ok(offline.valueAtX > 0.5, `similarity of "${offline.answer}" to "a tabby cat": ${offline.valueAtX}`);
    assert.ok(offline.map.some((v) => v !== 0));
    const remote = openAiEmbeddings({ ...fastOptions(false), endpoint: `${server.url}/v1`, model: 'lrsal-glove-100d' });
    const viaHttp = await explain(model, kitten, { ...mapOptions, objective: 'semantic', target: 'a tabby cat', embeddings: remote });
    assert.ok(Math.abs(viaHttp.valueAtX - offline.valueAtX) < 1e-3, 'same embedding model over HTTP');
  });
});

test('an interrupted remote run, restarted, re-buys no query', async () => {
  const { dir, remove } = await tempDir();
  const server = await startStandInServer({ classifier: await sharedClassifier(), api: 'vision', port: 0, faults: { failAfter: 3 } });
  try {
    const model = () => visionApiModel({ ...fastOptions(dir, { retries: 1, concurrency: 1 }), endpoint: server.url, maxResults: 1 });
    await assert.rejects(explain(model(), kitten, mapOptions), (e) => e instanceof LrsalError && e.code === 'REMOTE_ERROR');
    const paidBeforeCrash = server.images;
    assert.ok(paidBeforeCrash >= 3, `paid ${paidBeforeCrash}`);
    server.setFaults({});
    const r = await explain(model(), kitten, mapOptions);
    assert.equal(r.queries, 60);
    assert.ok(r.cacheHits >= paidBeforeCrash, `cache hits ${r.cacheHits} < answers paid before the crash ${paidBeforeCrash}`);
    // Every distinct query was answered exactly once across both runs.
    assert.equal(server.images, r.sent + paidBeforeCrash);
    assert.equal(r.sent + r.cacheHits, 60);
  } finally {
    await server.close();
    await remove();
  }
});

test('the CLI explains a remote label API, reports cost and cache hits, and pays once when run twice', async () => {
  const { dir, remove } = await tempDir();
  const server = await startStandInServer({ classifier: await sharedClassifier(), api: 'vision', port: 0 });
  try {
    const cli = join(packageRoot(), 'dist', 'src', 'cli', 'main.js');
    const args = [cli, 'explain', kitten, '--api', 'vision', '--endpoint', server.url, '--target', 'n02123045', '--method', 'vanilla', '--gradient', 'lr', '--sigma', '48', '--queries', '30', '--price', '0.001', '--cache-dir', join(dir, 'cache'), '--rps', '1000', '--out', join(dir, 'map.png'), '--json'];
    // Asynchronous: the stand-in server lives in this process and must keep answering.
    const run = (extra: string[] = []) =>
      new Promise<{ status: number; stdout: string; stderr: string }>((resolve) =>
        execFile(process.execPath, [...args, ...extra], { encoding: 'utf8' }, (error, stdout, stderr) =>
          resolve({ status: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
        ),
      );
    const first = await run();
    assert.equal(first.status, 0, first.stderr);
    const a = JSON.parse(first.stdout);
    assert.equal(a.queries, 30);
    assert.ok(Math.abs(a.cost - 0.001 * a.sent) < 1e-12 && a.sent > 0);
    assert.match(first.stderr, /estimated cost 0\.03/);
    const second = await run();
    assert.equal(second.status, 0, second.stderr);
    const b = JSON.parse(second.stdout);
    assert.equal(b.sent, 0);
    assert.equal(b.cacheHits, 30);
    assert.equal(b.cost, 0);
    const tooDear = await run(['--max-cost', '0.01']);
    assert.notEqual(tooDear.status, 0);
    assert.match(tooDear.stderr, /exceeds --max-cost 0\.01; nothing was sent/);
  } finally {
    await server.close();
    await remove();
  }
});
