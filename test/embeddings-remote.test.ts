/** The OpenAI-compatible embedding provider against the stand-in /v1/embeddings route, over real sockets. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import OpenAI from 'openai';
import { LrsalError } from '../src/core/errors.js';
import { offlineEmbeddings } from '../src/embeddings/offline.js';
import { openAiEmbeddings, type OpenAiEmbeddingOptions } from '../src/models/remote/openai-embeddings.js';
import { embedTarget, semanticObjectives } from '../src/objectives/semantic.js';
import { startEmbeddingsServer, type EmbeddingsRouteOptions, type EmbeddingsServer } from '../src/stand-in/embeddings-route.js';

const offline = offlineEmbeddings();

async function withServer<T>(options: EmbeddingsRouteOptions, run: (server: EmbeddingsServer) => Promise<T>): Promise<T> {
  const server = await startEmbeddingsServer({ ...options, port: 0 });
  try {
    return await run(server);
  } finally {
    await server.close();
  }
}

/** Test-friendly options: no rate cap, short backoff, no key needed. */
function clientOptions(server: EmbeddingsServer, extra: Partial<OpenAiEmbeddingOptions> = {}): OpenAiEmbeddingOptions {
  return {
    endpoint: `${server.url}/v1`,
    model: 'lrsal-glove-100d',
    apiKeyEnv: 'LRSAL_TEST_NO_SUCH_KEY',
    requestsPerSecond: Infinity,
    timeoutMs: 5_000,
    retries: 3,
    backoffMs: 5,
    cacheDir: false,
    ...extra,
  };
}

function code(expected: string): (e: unknown) => boolean {
  return (e: unknown) => e instanceof LrsalError && e.code === expected;
}

describe('OpenAI-compatible embeddings', () => {
  it('returns the served vectors; a text with no known word comes back null', async () => {
    await withServer({}, async (server) => {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const remote = openAiEmbeddings(clientOptions(server));
      assert.equal(remote.dimensions, 0); // unknown until the first answer
      const texts = ['tabby cat', 'an airliner', 'zxqv', '  '];
      const [cat, airliner, unknown, blank] = await remote.embed(texts);
      const [localCat, localAirliner] = await offline.embed(texts);
      assert.equal(remote.dimensions, 100);
      for (const [got, want] of [[cat!, localCat!], [airliner!, localAirliner!]] as const) {
        assert.equal(got.vector!.length, 100);
        got.vector!.forEach((x, i) => assert.ok(Math.abs(x - want.vector![i]!) < 1e-6));
      }
      assert.deepEqual(cat!.known, ['tabby', 'cat']);
      assert.deepEqual(unknown, { vector: null, known: [], unknown: ['zxqv'] });
      assert.equal(blank!.vector, null); // never sent
      assert.equal(remote.stats().sent, 3);
      assert.equal(server.route.counts.requests, 1);
      assert.match(remote.endpoint, /\/v1\/embeddings$/);
    });
  });

  it('batches texts per request and embeds a repeated text once', async () => {
    await withServer({}, async (server) => {
      const remote = openAiEmbeddings(clientOptions(server, { textsPerRequest: 2, concurrency: 1 }));
      await remote.embed(['cat', 'dog', 'cat', 'bird', 'fish']);
      assert.equal(server.route.counts.requests, 2); // cat dog | bird fish
      await remote.embed(['dog', 'fish']);
      assert.equal(server.route.counts.requests, 2);
      assert.equal(server.route.counts.texts, 4);
    });
  });

  it('feeds the semantic objective end to end', async () => {
    await withServer({}, async (server) => {
      const remote = openAiEmbeddings(clientOptions(server));
      const target = await embedTarget('tabby cat', remote);
      const [right, wrong, refusal] = await semanticObjectives(['It belongs to tabby.', 'an airliner', 'zxqv'], target, remote);
      assert.ok(right! > 0.8 && wrong! < 0.3, `${right}, ${wrong}`);
      assert.equal(refusal, 0);
    });
  });

  it('serves base64 too (the openai client default)', async () => {
    await withServer({}, async (server) => {
      const client = new OpenAI({ apiKey: 'none', baseURL: `${server.url}/v1`, maxRetries: 0 });
      const response = await client.embeddings.create({ model: 'x', input: 'tabby cat' });
      const want = (await offline.embed(['tabby cat']))[0]!.vector!;
      assert.deepEqual(Float32Array.from(response.data[0]!.embedding), want);
    });
  });

  it('keeps answers in the on-disk cache across provider instances', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lrsal-emb-cache-'));
    try {
      await withServer({}, async (server) => {
        await openAiEmbeddings(clientOptions(server, { cacheDir: dir })).embed(['cat', 'dog']);
        const again = openAiEmbeddings(clientOptions(server, { cacheDir: dir }));
        const [cat] = await again.embed(['cat', 'dog']);
        assert.equal(server.route.counts.requests, 1);
        assert.deepEqual(again.stats(), { sent: 0, cacheHits: 2, cost: 0, retries: 0, cacheErrors: 0, cacheWriteErrors: 0 });
        assert.equal(cat!.vector!.length, 100);
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('retries 429 and 500, then fails with one clear error', async () => {
    await withServer({ faults: { rateLimited: 1, retryAfterSeconds: 0, serverErrors: 1 } }, async (server) => {
      const remote = openAiEmbeddings(clientOptions(server));
      const [cat] = await remote.embed(['cat']);
      assert.ok(cat!.vector);
      assert.equal(remote.stats().retries, 2);
      server.route.setFaults({ failAfter: 0 });
      await assert.rejects(remote.embed(['dog']), (e: unknown) => code('REMOTE_ERROR')(e) && /HTTP 500.*after 4 attempts/.test((e as Error).message));
      server.route.setFaults({ malformed: 1 });
      await assert.rejects(openAiEmbeddings(clientOptions(server, { retries: 0 })).embed(['bird']), code('REMOTE_ERROR'));
    });
  });

  it('times out a slow server and respects the budget', async () => {
    await withServer({ faults: { delayMs: 500 } }, async (server) => {
      const slow = openAiEmbeddings(clientOptions(server, { timeoutMs: 50, retries: 0 }));
      await assert.rejects(slow.embed(['cat']), code('TIMEOUT'));
      server.route.setFaults({});
      const capped = openAiEmbeddings(clientOptions(server, { maxQueries: 2 }));
      await capped.embed(['cat', 'dog']);
      await assert.rejects(capped.embed(['bird']), code('BUDGET_EXCEEDED'));
    });
  });

  it('the route answers bad requests in the OpenAI error format', async () => {
    await withServer({}, async (server) => {
      const post = (body: unknown) => fetch(`${server.url}/v1/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const tokens = await post({ model: 'x', input: [[1, 2, 3]] });
      assert.equal(tokens.status, 400);
      const body = (await tokens.json()) as { error: { type: string; message: string } };
      assert.equal(body.error.type, 'invalid_request_error');
      assert.match(body.error.message, /token arrays are not supported/);
      assert.equal((await post({ input: 'cat', dimensions: 512 })).status, 400);
      assert.equal((await fetch(`${server.url}/v1/embeddings`)).status, 405);
      assert.equal((await fetch(`${server.url}/v1/other`, { method: 'POST' })).status, 404);
    });
  });

  it('rejects bad options before any request', () => {
    assert.throws(() => openAiEmbeddings({ model: 'm', endpoint: 'http://127.0.0.1:9/v1', dimensions: 0 }), code('INVALID_ARGUMENT'));
    assert.throws(() => openAiEmbeddings({ model: 'm', endpoint: 'http://127.0.0.1:9/v1', textsPerRequest: 0 }), code('INVALID_ARGUMENT'));
    const saved = process.env.LRSAL_TEST_EMPTY_KEY;
    delete process.env.LRSAL_TEST_EMPTY_KEY;
    assert.throws(() => openAiEmbeddings({ model: 'm', apiKeyEnv: 'LRSAL_TEST_EMPTY_KEY' }), /set the environment variable LRSAL_TEST_EMPTY_KEY/);
    if (saved !== undefined) process.env.LRSAL_TEST_EMPTY_KEY = saved;
  });
});
