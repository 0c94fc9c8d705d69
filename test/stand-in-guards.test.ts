/** The stand-in servers refuse what a local test server should not do work for (issue 11, item 18). */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, describe, it } from 'node:test';
import sharp from 'sharp';
import { startEmbeddingsServer } from '../src/stand-in/embeddings-route.js';
import { startStandInServer } from '../src/stand-in/stand-in.js';
import { sharedClassifier, withServer } from './remote-fixtures.js';

after(async () => (await sharedClassifier()).dispose());

interface Reply {
  status: number;
  body: string;
}

function send(url: string, options: { method?: string; path: string; headers?: Record<string, string>; body?: string }): Promise<Reply> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: options.method ?? 'POST', path: options.path, headers: options.headers ?? {} }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const png = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: { r: 9, g: 9, b: 9 } } }).png().toBuffer();
const visionBody = (images: Buffer[]) => JSON.stringify({ requests: images.map((i) => ({ image: { content: i.toString('base64') }, features: [{ type: 'LABEL_DETECTION', maxResults: 1 }] })) });
const JSON_TYPE = { 'content-type': 'application/json' };

describe('stand-in request guards', () => {
  it('a body that is not declared JSON → 415 (vision, chat and embeddings routes)', async () => {
    await withServer('vision', {}, async (server) => {
      const body = visionBody([await png(8, 8)]);
      assert.equal((await send(server.url, { path: '/v1/images:annotate', headers: { 'content-type': 'text/plain' }, body })).status, 415);
      assert.equal((await send(server.url, { path: '/v1/images:annotate', body })).status, 415);
      assert.equal((await send(server.url, { path: '/v1/images:annotate', headers: { 'content-type': 'application/json; charset=utf-8' }, body })).status, 200);
      assert.equal(server.images, 1);
    });
    await withServer('openai', {}, async (server) => {
      const reply = await send(server.url, { path: '/v1/embeddings', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'input=cat' });
      assert.equal(reply.status, 415);
      assert.match(reply.body, /must be JSON/);
    });
  });

  it('too many images or too many pixels in one request → 413, before any is classified', async () => {
    const server = await startStandInServer({ classifier: await sharedClassifier(), api: 'vision', maxPixelsPerRequest: 1_000_000 });
    try {
      const tiny = await png(8, 8);
      const many = await send(server.url, { path: '/v1/images:annotate', headers: JSON_TYPE, body: visionBody(Array(17).fill(tiny)) });
      assert.equal(many.status, 413);
      assert.match(many.body, /at most 16 images per request, got 17/);
      const big = await png(800, 800);
      const large = await send(server.url, { path: '/v1/images:annotate', headers: JSON_TYPE, body: visionBody([big, big]) });
      assert.equal(large.status, 413);
      assert.match(large.body, /more than 1000000 pixels/);
      assert.equal(server.images, 0);
      assert.equal((await send(server.url, { path: '/v1/images:annotate', headers: JSON_TYPE, body: visionBody([big]) })).status, 200);
    } finally {
      await server.close();
    }
  });

  it('bound to loopback, only loopback Host headers with the port are served (DNS rebinding) → 403 otherwise', async () => {
    await withServer('openai', {}, async (server) => {
      for (const host of [`localhost:${server.port}`, `127.0.0.1:${server.port}`, `[::1]:${server.port}`]) {
        assert.equal((await send(server.url, { method: 'GET', path: '/v1/models', headers: { host } })).status, 200, host);
      }
      for (const host of [`evil.example:${server.port}`, 'localhost:1', 'attacker.localhost']) {
        const reply = await send(server.url, { method: 'GET', path: '/v1/models', headers: { host } });
        assert.equal(reply.status, 403, host);
        assert.match(reply.body, /DNS rebinding/);
      }
    });
    const embeddings = await startEmbeddingsServer();
    try {
      assert.equal((await send(embeddings.url, { path: '/v1/embeddings', headers: { host: 'rebound.example', ...JSON_TYPE }, body: '{"input":"cat"}' })).status, 403);
      assert.equal((await send(embeddings.url, { path: '/v1/embeddings', headers: JSON_TYPE, body: '{"input":"cat"}' })).status, 200);
    } finally {
      await embeddings.close();
    }
  });
});
