/**
 * Remote adapters as a careful, slightly hostile user meets them (issue 11): keys never follow a redirect nor
 * show in messages, answers are size-capped, cache entries are validated, kills and concurrent runs never
 * re-buy more than promised, and requests in flight follow --concurrency.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LrsalError } from '../src/core/errors.js';
import { AnswerCache } from '../src/models/remote/cache.js';
import { RequestClaims } from '../src/models/remote/claims.js';
import { httpJsonModel } from '../src/models/remote/http-json.js';
import { openAiChatModel } from '../src/models/remote/openai-chat.js';
import type { RemoteOptions } from '../src/models/remote/options.js';
import { withRetries } from '../src/models/remote/retry.js';
import { visionApiModel } from '../src/models/remote/vision-api.js';
import { startFake, startFakeVision, TINY, tinyInputs } from './remote-http-fakes.js';
import { tempDir } from './remote-fixtures.js';

const KEY = 'sk-lrsal-test-0123456789abcdef';
process.env.LRSAL_TEST_API_KEY = KEY;

function fast(extra: RemoteOptions = {}): RemoteOptions {
  return { inputShape: TINY, concurrency: 4, requestsPerSecond: Infinity, timeoutMs: 5_000, retries: 3, backoffMs: 5, maxBackoffMs: 1_000, cacheDir: false, ...extra };
}

function remoteError(pattern: RegExp, not?: string) {
  return (e: unknown) => {
    assert.ok(e instanceof LrsalError, `not an LrsalError: ${String(e)}`);
    assert.equal(e.code, 'REMOTE_ERROR', e.message);
    assert.match(e.message, pattern);
    if (not) assert.ok(!e.message.includes(not), `message shows "${not}": ${e.message}`);
    return true;
  };
}

async function cacheFiles(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.json')).map((f) => join(dir, f));
}

describe('secrets', () => {
  it('a redirect is never followed: the key stays home and the error names the redirect (no retries)', async () => {
    const elsewhere = await startFake((_req, res) => void res.end('{}'));
    const redirecting = await startFake((req, res) => {
      res.writeHead(307, { location: `${elsewhere.url}${req.url}` });
      res.end();
    });
    try {
      const vision = visionApiModel({ ...fast(), endpoint: redirecting.url, apiKeyEnv: 'LRSAL_TEST_API_KEY' });
      await assert.rejects(vision.labels(tinyInputs(1), 1), remoteError(new RegExp(`HTTP 307 redirect to ${elsewhere.url}/v1/images:annotate not followed`)));
      const chat = openAiChatModel({ ...fast(), endpoint: `${redirecting.url}/v1`, model: 'm', apiKeyEnv: 'LRSAL_TEST_API_KEY' });
      await assert.rejects(chat.answer(tinyInputs(1), 1, 'p'), remoteError(/HTTP 307 redirect to .* not followed/));
      const json = httpJsonModel({ ...fast(), url: `${redirecting.url}/x`, body: { image: '{{image}}' }, labelsPath: 'labels', apiKey: { env: 'LRSAL_TEST_API_KEY', header: 'x-api-key', prefix: '' } });
      await assert.rejects(json.labels(tinyInputs(1), 1), remoteError(/redirect .* not followed/));
      assert.equal(redirecting.requests.length, 3, 'one attempt each: a redirect cannot heal');
      assert.equal(elsewhere.requests.length, 0, 'nothing reached the other host');
    } finally {
      await Promise.all([elsewhere.close(), redirecting.close()]);
    }
  });

  it('a password in the endpoint is refused before any query, and never printed', () => {
    const check = (e: unknown) => e instanceof LrsalError && e.code === 'INVALID_ARGUMENT' && !e.message.includes('hunter22') && /\*\*\*@/.test(e.message) && /credentials/.test(e.message);
    assert.throws(() => visionApiModel({ ...fast(), endpoint: 'http://admin:hunter22@127.0.0.1:9' }), check);
    assert.throws(() => openAiChatModel({ ...fast(), endpoint: 'http://admin:hunter22@127.0.0.1:9/v1', model: 'm' }), check);
    assert.throws(() => httpJsonModel({ ...fast(), url: 'http://admin:hunter22@127.0.0.1:9/x', body: '{{image}}', labelsPath: '' }), check);
    assert.throws(() => visionApiModel({ ...fast(), endpoint: 'ftp://127.0.0.1:9' }), /must start with http/);
  });

  it('errors that cannot heal are not retried, and URL credentials in them are blanked', async () => {
    let attempts = 0;
    const failing = withRetries('POST x', { retries: 4, backoffMs: 1, maxBackoffMs: 10, timeoutMs: 1000 }, async () => {
      attempts++;
      throw new TypeError('Request cannot be constructed from a URL that includes credentials: http://u:hunter22@host/v1');
    });
    await assert.rejects(failing, remoteError(/cannot be made .*http:\/\/\*\*\*@host/, 'hunter22'));
    assert.equal(attempts, 1);
    const unauthorized = await startFake((_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"error": "bad key"}');
    });
    try {
      await assert.rejects(visionApiModel({ ...fast(), endpoint: unauthorized.url }).labels(tinyInputs(1), 1), remoteError(/HTTP 401/));
      assert.equal(unauthorized.requests.length, 1);
    } finally {
      await unauthorized.close();
    }
  });

  it('an API key echoed by the endpoint (error body, bad JSON) is blanked out of every message', async () => {
    const echo = await startFake((req, res, body) => {
      const key = String(req.headers['x-goog-api-key'] ?? req.headers.authorization ?? '');
      if (body.includes('"model"')) {
        res.writeHead(401, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ error: { message: `Incorrect API key provided: ${key}` } }));
      }
      if (req.url?.startsWith('/bad-json')) return void res.end(`not json ${key}`);
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 403, message: `API key ${encodeURIComponent(key)} not valid` } }));
    });
    try {
      const vision = visionApiModel({ ...fast(), endpoint: echo.url, apiKeyEnv: 'LRSAL_TEST_API_KEY' });
      await assert.rejects(vision.labels(tinyInputs(1), 1), remoteError(/HTTP 403.*API key \*\*\* not valid/, KEY));
      const chat = openAiChatModel({ ...fast(), endpoint: `${echo.url}/v1`, model: 'm', apiKeyEnv: 'LRSAL_TEST_API_KEY' });
      await assert.rejects(chat.answer(tinyInputs(1), 1, 'p'), remoteError(/HTTP 401/, KEY));
      const json = httpJsonModel({ ...fast({ retries: 0 }), url: `${echo.url}/bad-json`, body: '{{image}}', labelsPath: '', apiKey: { env: 'LRSAL_TEST_API_KEY', header: 'x-goog-api-key', prefix: '' } });
      await assert.rejects(json.labels(tinyInputs(1), 1), remoteError(/malformed response/, KEY));
    } finally {
      await echo.close();
    }
  });

  it('an oversized answer is cut off while it streams in, and not retried', async () => {
    const huge = await startFake((req, res) => {
      if (req.url?.includes('declared')) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': 50_000_000 });
        return void res.write('{"responses": [');
      }
      // Chunked, no length: 64 KiB pieces until the client hangs up (or 50 MB).
      res.writeHead(200, { 'content-type': 'application/json' });
      let sent = 0;
      const piece = Buffer.alloc(65536, 32);
      const more = () => {
        while (sent < 50_000_000 && !res.destroyed) {
          sent += piece.length;
          if (!res.write(piece)) return void res.once('drain', more);
        }
        res.end();
      };
      res.write('{"responses": [');
      more();
    });
    try {
      const limit = { maxResponseBytes: 200_000 };
      const t0 = performance.now();
      await assert.rejects(visionApiModel({ ...fast(limit), endpoint: huge.url }).labels(tinyInputs(1), 1), remoteError(/larger than 200000 bytes/));
      await assert.rejects(httpJsonModel({ ...fast(limit), url: `${huge.url}/declared`, body: '{{image}}', labelsPath: '' }).labels(tinyInputs(1), 1), remoteError(/larger than 200000 bytes/));
      await assert.rejects(openAiChatModel({ ...fast(limit), endpoint: `${huge.url}/v1`, model: 'm' }).answer(tinyInputs(1), 1, 'p'), remoteError(/larger than 200000 bytes/));
      assert.ok(performance.now() - t0 < 3000, 'stopped reading early');
      assert.equal(huge.requests.length, 3);
    } finally {
      await huge.close();
    }
  });
});

describe('answer cache', () => {
  it('a bad entry is a miss: counted, reported naming the file, bought again once and overwritten', async () => {
    const cache = await tempDir();
    const server = await startFakeVision(0);
    try {
      const options = { ...fast({ cacheDir: cache.dir }), endpoint: server.url };
      await visionApiModel(options).labels(tinyInputs(3), 3);
      const [first, second] = (await cacheFiles(cache.dir)).sort();
      await writeFile(first!, '{"answer": null}');
      await writeFile(second!, '{"answer": [{"label": 7}');
      const warnings: string[] = [];
      const rerun = visionApiModel({ ...options, onWarning: (m) => warnings.push(m) });
      const answers = await rerun.labels(tinyInputs(3), 3);
      assert.deepEqual(answers.map((a) => a[0]!.label), ['tabby', 'tabby', 'tabby']);
      assert.deepEqual(rerun.stats(), { sent: 2, cacheHits: 1, cost: 0, retries: 0, cacheErrors: 2, cacheWriteErrors: 0 });
      assert.equal(warnings.length, 2);
      assert.ok(warnings.some((w) => w.includes(first!) && /expected shape/.test(w)));
      assert.ok(warnings.some((w) => w.includes(second!) && /not JSON/.test(w)));
      const third = visionApiModel({ ...options, onWarning: (m) => warnings.push(m) });
      await third.labels(tinyInputs(3), 3);
      assert.deepEqual(third.stats(), { sent: 0, cacheHits: 3, cost: 0, retries: 0, cacheErrors: 0, cacheWriteErrors: 0 });
      assert.ok(JSON.parse(await readFile(first!, 'utf8')).answer[0].label === 'tabby');
    } finally {
      await Promise.all([server.close(), cache.remove()]);
    }
  });

  it('cache write failures keep the answers, are counted, and are reported once, loudly', async () => {
    const dir = await tempDir();
    const server = await startFakeVision(0);
    try {
      const notAFolder = join(dir.dir, 'file');
      await writeFile(notAFolder, 'x');
      const warnings: string[] = [];
      const model = visionApiModel({ ...fast({ cacheDir: notAFolder, onWarning: (m) => warnings.push(m) }), endpoint: server.url });
      const answers = await model.labels(tinyInputs(5), 5);
      assert.equal(answers.length, 5);
      assert.equal(model.stats().cacheWriteErrors, 5);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!, /cannot write the answer cache .* a rerun pays for them again/);
    } finally {
      await Promise.all([server.close(), dir.remove()]);
    }
  });

  it('two runs sharing one cache folder at once buy each query once', async () => {
    const cache = await tempDir();
    const server = await startFakeVision(60);
    try {
      const options = { ...fast({ cacheDir: cache.dir, concurrency: 3 }), endpoint: server.url };
      const a = visionApiModel(options);
      const b = visionApiModel(options);
      const [x, y] = await Promise.all([a.labels(tinyInputs(12), 12), b.labels(tinyInputs(12), 12)]);
      assert.deepEqual(x, y);
      assert.equal(server.stats.answered, 12);
      assert.equal(a.stats().sent + b.stats().sent, 12);
      assert.equal(a.stats().cacheHits + b.stats().cacheHits, 12);
      assert.equal((await readdir(cache.dir, { recursive: true })).filter((f) => f.endsWith('.lock')).length, 0, 'no lock left behind');
    } finally {
      await Promise.all([server.close(), cache.remove()]);
    }
  });

  it('a claim held by a live run is busy; one left by a dead process or too old is taken over', async () => {
    const cache = await tempDir();
    try {
      const answers = new AnswerCache(cache.dir);
      const claims = new RequestClaims(answers, 60_000);
      const key = AnswerCache.key('id', Buffer.from('image'));
      assert.equal(await claims.claim(key), 'ours');
      assert.equal(await claims.claim(key), 'busy'); // this (live) process holds it
      const lock = answers.pathOf(key).replace(/\.json$/, '.lock');
      const dead = spawnSync(process.execPath, ['-e', '']).pid!;
      await writeFile(lock, `${dead} ${hostname()} ${Date.now()}`);
      assert.equal(await claims.claim(key), 'ours');
      await writeFile(lock, `1 another-host ${Date.now()}`);
      assert.equal(await claims.claim(key), 'busy');
      assert.equal(await new RequestClaims(answers, 0).claim(key), 'ours'); // older than staleMs
      await claims.release(key);
      assert.equal(await claims.isFree(key), true);
    } finally {
      await cache.remove();
    }
  });
});

describe('malformed answers', () => {
  it('an answer that stays malformed stops the run after bounded retries; everything bought before is kept', async () => {
    const cache = await tempDir();
    let good = 3;
    const flaky = await startFake((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      if (good-- > 0) return void res.end(JSON.stringify({ responses: [{ labelAnnotations: [{ description: 'tabby', score: 0.9 }] }] }));
      res.end('{"responses": [{"labelAnn');
    });
    try {
      const options = { ...fast({ cacheDir: cache.dir, concurrency: 1, retries: 2 }), endpoint: flaky.url };
      const first = visionApiModel(options);
      await assert.rejects(first.labels(tinyInputs(6), 6), remoteError(/malformed response .*after 3 attempts/));
      assert.equal(flaky.requests.length, 3 + 3, '3 good answers, then one request tried 3 times');
      assert.equal((await cacheFiles(cache.dir)).length, 3);
      good = Infinity;
      const rerun = visionApiModel(options);
      await rerun.labels(tinyInputs(6), 6);
      assert.equal(rerun.stats().sent, 3);
      assert.equal(rerun.stats().cacheHits, 3);
    } finally {
      await Promise.all([flaky.close(), cache.remove()]);
    }
  });
});

describe('concurrency', () => {
  it('queries in flight follow concurrency, whatever the call size; requests carry at most that many images', async () => {
    const server = await startFakeVision(40);
    try {
      const model = visionApiModel({ ...fast({ concurrency: 6 }), endpoint: server.url });
      await model.labels(tinyInputs(40), 40);
      assert.equal(server.stats.answered, 40);
      assert.ok(server.stats.maxInFlight <= 6, `max in flight ${server.stats.maxInFlight}`);
      assert.ok(server.stats.maxInFlight >= 5, `max in flight ${server.stats.maxInFlight}: the slots were not used`);
      assert.ok(server.stats.perRequest.every((n) => n <= 4), `images per request ${server.stats.perRequest.join(',')}`);
      server.stats.perRequest.length = 0;
      const two = visionApiModel({ ...fast({ concurrency: 2 }), endpoint: server.url, imagesPerRequest: 16 });
      await two.labels(tinyInputs(6, 1), 6);
      assert.ok(server.stats.perRequest.every((n) => n <= 2), `images per request ${server.stats.perRequest.join(',')}`);
    } finally {
      await server.close();
    }
  });

  it('SIGKILL loses at most --concurrency answers: every other answer bought is in the cache', async () => {
    const cache = await tempDir();
    const server = await startFakeVision(150);
    const concurrency = 4;
    const child = join(cache.dir, 'child.mjs');
    const visionModule = new URL('../src/models/remote/vision-api.js', import.meta.url).href;
    const helpers = new URL('./remote-http-fakes.js', import.meta.url).href;
    await writeFile(
      child,
      `import { visionApiModel } from ${JSON.stringify(visionModule)};
import { TINY, tinyInputs } from ${JSON.stringify(helpers)};
const model = visionApiModel({ inputShape: TINY, concurrency: ${concurrency}, requestsPerSecond: Infinity, endpoint: ${JSON.stringify(server.url)}, cacheDir: ${JSON.stringify(join(cache.dir, 'cache'))} });
await model.labels(tinyInputs(200), 200);
`,
    );
    try {
      const proc = spawn(process.execPath, [child], { stdio: 'ignore' });
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      while (server.stats.answered < 20) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 75)); // mid-request
      proc.kill('SIGKILL');
      await exited;
      while (server.stats.inFlight > 0) await new Promise((r) => setTimeout(r, 10));
      const received = server.stats.perRequest.reduce((a, b) => a + b, 0);
      const cached = (await cacheFiles(join(cache.dir, 'cache')).catch(() => [])).length;
      assert.ok(received >= 20 && cached > 0, `bought ${received}, cached ${cached}`);
      assert.ok(received - cached <= concurrency, `bought ${received}, cached ${cached}: a kill cost ${received - cached} > ${concurrency}`);
    } finally {
      await Promise.all([server.close(), cache.remove()]);
    }
  });
});
