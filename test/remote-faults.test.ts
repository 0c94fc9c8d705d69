/** Remote adapters against injected faults of the stand-in servers: 429, 500, slow answers, malformed JSON. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { LrsalError, type LrsalErrorCode } from '../src/core/errors.js';
import { openAiChatModel } from '../src/models/remote/openai-chat.js';
import type { RemoteOptions } from '../src/models/remote/options.js';
import type { RemoteLabelModel, RemoteTextModel } from '../src/models/remote/types.js';
import { visionApiModel } from '../src/models/remote/vision-api.js';
import { startStandInServer, type StandInServer } from '../src/stand-in/stand-in.js';
import { copies, fastOptions, kittenInput, sharedClassifier, withServer } from './remote-fixtures.js';

after(async () => (await sharedClassifier()).dispose());

type Api = 'vision' | 'openai';
const APIS: Api[] = ['vision', 'openai'];

function adapter(api: Api, server: StandInServer, extra: RemoteOptions = {}): RemoteLabelModel | RemoteTextModel {
  const o = fastOptions(false, { concurrency: 1, ...extra });
  return api === 'vision' ? visionApiModel({ ...o, endpoint: server.url }) : openAiChatModel({ ...o, endpoint: `${server.url}/v1`, model: 'm' });
}

async function ask(model: RemoteLabelModel | RemoteTextModel, count = 1): Promise<string[]> {
  const inputs = copies(await kittenInput(), count);
  if (model.kind === 'labels') return (await model.labels(inputs, count)).map((l) => l[0]!.label);
  return model.answer(inputs, count, 'What is this?');
}

function isError(code: LrsalErrorCode, pattern: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof LrsalError, `not an LrsalError: ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.match(e.message, pattern);
    assert.ok(!e.message.includes('\n'), 'one line');
    return true;
  };
}

for (const api of APIS) {
  describe(`${api} adapter under faults`, () => {
    it('retries 429s, then succeeds; retries are counted', async () => {
      await withServer(api, { rateLimited: 2, retryAfterSeconds: 0 }, async (server) => {
        const model = adapter(api, server);
        assert.match((await ask(model))[0]!, /tabby/);
        assert.equal(server.requests, 3);
        assert.equal(model.stats().retries, 2);
        assert.equal(model.stats().sent, 1);
      });
    });

    it('honours Retry-After', async () => {
      await withServer(api, { rateLimited: 1, retryAfterSeconds: 1 }, async (server) => {
        const model = adapter(api, server, { backoffMs: 1 });
        const t0 = performance.now();
        await ask(model);
        const waited = performance.now() - t0;
        assert.ok(waited >= 950 && waited < 3000, `waited ${waited.toFixed(0)} ms`);
      });
    });

    it('429s beyond the retries → RATE_LIMITED; a Retry-After beyond maxBackoffMs fails at once', async () => {
      await withServer(api, { rateLimited: 10, retryAfterSeconds: 0 }, async (server) => {
        await assert.rejects(ask(adapter(api, server, { retries: 2 })), isError('RATE_LIMITED', /HTTP 429.*after 3 attempts/));
        assert.equal(server.requests, 3);
      });
      await withServer(api, { rateLimited: 1, retryAfterSeconds: 120 }, async (server) => {
        await assert.rejects(ask(adapter(api, server, { maxBackoffMs: 1000 })), isError('RATE_LIMITED', /wait 120 s/));
        assert.equal(server.requests, 1);
      });
    });

    it('500s exhausted → REMOTE_ERROR naming the endpoint and status', async () => {
      await withServer(api, { serverErrors: 100 }, async (server) => {
        const model = adapter(api, server, { retries: 3 });
        await assert.rejects(ask(model), isError('REMOTE_ERROR', new RegExp(`POST http://127\\.0\\.0\\.1:${server.port}/v1/.*HTTP 500.*after 4 attempts`)));
        assert.equal(server.requests, 4);
        assert.equal(model.stats().retries, 3);
      });
    });

    it('a 500 followed by success is retried transparently', async () => {
      await withServer(api, { serverErrors: 1 }, async (server) => {
        assert.match((await ask(adapter(api, server)))[0]!, /tabby/);
        assert.equal(server.requests, 2);
      });
    });

    it('no answer in time → TIMEOUT', async () => {
      await withServer(api, { delayMs: 3000 }, async (server) => {
        const t0 = performance.now();
        await assert.rejects(ask(adapter(api, server, { timeoutMs: 100, retries: 1 })), isError('TIMEOUT', /no answer within 100 ms after 2 attempts/));
        // Gave up long before the server's 3 s answer (a margin wide enough for a loaded machine).
        assert.ok(performance.now() - t0 < 3000);
      });
    });

    it('a malformed answer is retried like a 5xx; one that stays malformed → REMOTE_ERROR naming it after the retries', async () => {
      await withServer(api, { malformed: 1 }, async (server) => {
        const model = adapter(api, server);
        assert.match((await ask(model))[0]!, /tabby/);
        assert.equal(server.requests, 2);
        assert.equal(model.stats().retries, 1);
      });
      await withServer(api, { malformed: 100 }, async (server) => {
        await assert.rejects(ask(adapter(api, server, { retries: 2 })), isError('REMOTE_ERROR', /POST http:\/\/127\.0\.0\.1:\d+\/v1\/.*malformed response \(not JSON.*after 3 attempts/));
        assert.equal(server.requests, 3);
      });
    });
  });
}

describe('remote adapters: unreachable endpoint', () => {
  it('connection refused → REMOTE_ERROR after the retries', async () => {
    const server = await startStandInServer({ classifier: await sharedClassifier(), api: 'vision', port: 0 });
    await server.close();
    const model = visionApiModel({ ...fastOptions(false, { retries: 1 }), endpoint: server.url });
    await assert.rejects(ask(model), isError('REMOTE_ERROR', /request failed \(ECONNREFUSED\) after 2 attempts/));
  });
});
