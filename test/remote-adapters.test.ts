/** Remote adapters against the stand-in servers over real sockets: answers, budgets, the answer cache. */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { after, describe, it } from 'node:test';
import { LrsalError } from '../src/core/errors.js';
import sharp from 'sharp';
import { httpJsonModel } from '../src/models/remote/http-json.js';
import { inputsToPngs } from '../src/models/remote/png.js';
import { openAiChatModel } from '../src/models/remote/openai-chat.js';
import { visionApiModel } from '../src/models/remote/vision-api.js';
import { SHAPE, copies, fastOptions, kittenInput, sharedClassifier, tempDir, withServer } from './remote-fixtures.js';

after(async () => (await sharedClassifier()).dispose());

async function countFiles(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true });
  return entries.filter((e) => e.endsWith('.json')).length;
}

describe('remote adapters: answers', () => {
  it('Cloud Vision format: the kitten is labelled tabby, several images per request', async () => {
    const kitten = await kittenInput();
    await withServer('vision', {}, async (server) => {
      const model = visionApiModel({ ...fastOptions(false), endpoint: server.url, maxResults: 3, imagesPerRequest: 4 });
      const answers = await model.labels(copies(kitten, 6), 6);
      assert.equal(answers.length, 6);
      for (const labels of answers) {
        assert.equal(labels.length, 3);
        assert.equal(labels[0]!.label, 'tabby');
        assert.ok(labels[0]!.score! > 0.2 && labels[0]!.score! <= 1);
      }
      assert.equal(server.requests, 2); // 4 + 2 images
      assert.deepEqual(model.stats(), { sent: 6, cacheHits: 0, cost: 0, retries: 0, cacheErrors: 0, cacheWriteErrors: 0 });
    });
  });

  it('OpenAI chat format: the answer names tabby', async () => {
    const kitten = await kittenInput();
    await withServer('openai', {}, async (server) => {
      const model = openAiChatModel({ ...fastOptions(false), endpoint: `${server.url}/v1`, model: 'any-model', apiKeyEnv: 'LRSAL_TEST_NO_SUCH_KEY' });
      const answers = await model.answer(copies(kitten, 3), 3, 'Which ImageNet class is this?');
      assert.deepEqual(answers, Array(3).fill('The input image belongs to tabby.'));
      assert.equal(server.requests, 3);
      assert.equal(model.stats().sent, 3);
    });
  });

  it('configurable JSON adapter reads the Cloud Vision format through a template and a path', async () => {
    const kitten = await kittenInput();
    await withServer('vision', {}, async (server) => {
      const model = httpJsonModel({
        ...fastOptions(false),
        url: `${server.url}/v1/images:annotate`,
        body: { requests: [{ image: { content: '{{image}}' }, features: [{ type: 'LABEL_DETECTION', maxResults: 2 }] }] },
        labelsPath: 'responses.0.labelAnnotations',
        labelField: 'description',
      });
      const [labels] = await model.labels(kitten, 1);
      assert.equal(labels!.length, 2);
      assert.equal(labels![0]!.label, 'tabby');
      assert.equal(typeof labels![0]!.score, 'number');
    });
  });

  it('answers that name no known class are passed through as they are', async () => {
    const kitten = await kittenInput();
    await withServer('openai', { unknownClass: 1 }, async (server) => {
      const model = openAiChatModel({ ...fastOptions(false), endpoint: `${server.url}/v1`, model: 'm', concurrency: 1 });
      const answers = await model.answer(copies(kitten, 2), 2, 'What is this?');
      assert.equal(answers[0], 'I cannot tell what this image shows.');
      assert.equal(answers[1], 'The input image belongs to tabby.');
    });
    await withServer('vision', { unknownClass: 1 }, async (server) => {
      const model = visionApiModel({ ...fastOptions(false), endpoint: server.url });
      const [labels] = await model.labels(kitten, 1);
      assert.deepEqual(labels!.map((l) => l.label), ['no known class']);
    });
  });
});

describe('remote adapters: budgets', () => {
  it('refuses a call over the query budget before sending anything', async () => {
    const kitten = await kittenInput();
    await withServer('vision', {}, async (server) => {
      const model = visionApiModel({ ...fastOptions(false), endpoint: server.url, maxQueries: 5 });
      await assert.rejects(model.labels(copies(kitten, 6), 6), (e: unknown) => e instanceof LrsalError && e.code === 'BUDGET_EXCEEDED');
      assert.equal(server.requests, 0);
      assert.equal(model.stats().sent, 0);
      await model.labels(copies(kitten, 5), 5); // exactly the budget still fits
      assert.equal(model.stats().sent, 5);
      await assert.rejects(model.labels(copies(kitten, 1, 9), 1), /query budget exceeded: 5 of 5/);
      assert.equal(server.images, 5);
    });
  });

  it('refuses a call over the cost budget before sending anything; estimateCost prices a run', async () => {
    const kitten = await kittenInput();
    await withServer('openai', {}, async (server) => {
      const model = openAiChatModel({ ...fastOptions(false), endpoint: `${server.url}/v1`, model: 'm', pricePerQuery: 0.01, maxCost: 0.025 });
      assert.equal(model.estimateCost(1000), 10);
      await model.answer(copies(kitten, 2), 2, 'p');
      assert.ok(Math.abs(model.stats().cost - 0.02) < 1e-12);
      await assert.rejects(model.answer(copies(kitten, 1, 3), 1, 'p'), (e: unknown) => e instanceof LrsalError && e.code === 'BUDGET_EXCEEDED' && /cost budget/.test(e.message));
      assert.equal(server.requests, 2);
    });
  });
});

describe('remote adapters: answer cache', () => {
  it('a second identical run sends nothing and counts cache hits', async () => {
    const kitten = await kittenInput();
    const cache = await tempDir();
    try {
      await withServer('vision', {}, async (server) => {
        const first = visionApiModel({ ...fastOptions(cache.dir), endpoint: server.url, imagesPerRequest: 2 });
        const a = await first.labels(copies(kitten, 5), 5);
        assert.equal(server.images, 5);
        const second = visionApiModel({ ...fastOptions(cache.dir), endpoint: server.url, imagesPerRequest: 2 });
        const b = await second.labels(copies(kitten, 5), 5);
        assert.deepEqual(b, a);
        assert.equal(server.images, 5);
        assert.deepEqual(second.stats(), { sent: 0, cacheHits: 5, cost: 0, retries: 0, cacheErrors: 0, cacheWriteErrors: 0 });
        // A different question is a different request: not answered from the cache.
        const other = visionApiModel({ ...fastOptions(cache.dir), endpoint: server.url, maxResults: 3 });
        await other.labels(copies(kitten, 1), 1);
        assert.equal(other.stats().sent, 1);
      });
      const shards = await readdir(cache.dir);
      assert.ok(shards.length > 0 && shards.every((s) => /^[0-9a-f]{2}$/.test(s)));
    } finally {
      await cache.remove();
    }
  });

  it('a run killed by a permanent failure after k answers re-buys none of them when restarted', async () => {
    const kitten = await kittenInput();
    const cache = await tempDir();
    const inputs = copies(kitten, 8);
    try {
      await withServer('openai', { failAfter: 3 }, async (server) => {
        const options = { ...fastOptions(cache.dir, { concurrency: 1, retries: 1 }), endpoint: `${server.url}/v1`, model: 'm', pricePerQuery: 1 };
        const first = openAiChatModel(options);
        await assert.rejects(first.answer(inputs, 8, 'p'), (e: unknown) => e instanceof LrsalError && e.code === 'REMOTE_ERROR' && /HTTP 500/.test(e.message));
        assert.equal(server.images, 3);
        server.setFaults({});
        const second = openAiChatModel(options);
        const answers = await second.answer(inputs, 8, 'p');
        assert.equal(answers.length, 8);
        assert.deepEqual(second.stats(), { sent: 5, cacheHits: 3, cost: 5, retries: 0, cacheErrors: 0, cacheWriteErrors: 0 });
        assert.equal(server.images, 8);
      });
    } finally {
      await cache.remove();
    }
  });

  it('an aborted run keeps the answers that arrived; the restart buys only the rest', async () => {
    const kitten = await kittenInput();
    const cache = await tempDir();
    const inputs = copies(kitten, 6);
    try {
      await withServer('vision', { delayMs: 150 }, async (server) => {
        const options = { ...fastOptions(cache.dir, { concurrency: 1 }), endpoint: server.url, imagesPerRequest: 1 };
        const controller = new AbortController();
        setTimeout(() => controller.abort(), 400);
        const first = visionApiModel(options);
        await assert.rejects(first.labels(inputs, 6, controller.signal), (e: unknown) => e instanceof LrsalError && e.code === 'ABORTED');
        const cached = await countFiles(cache.dir);
        assert.ok(cached >= 1 && cached < 6, `cached ${cached}`);
        server.setFaults({});
        const second = visionApiModel(options);
        await second.labels(inputs, 6);
        assert.deepEqual(second.stats(), { sent: 6 - cached, cacheHits: cached, cost: 0, retries: 0, cacheErrors: 0, cacheWriteErrors: 0 });
      });
    } finally {
      await cache.remove();
    }
  });
});

describe('remote adapters: encoding and configuration', () => {
  it('sends lossless PNG of the rounded, clamped pixels', async () => {
    const input = new Float32Array(3 * 224 * 224).map((_, i) => ((i * 37) % 300) - 20.4);
    const [png] = await inputsToPngs(input, 1, SHAPE);
    const { data, info } = await sharp(png!).raw().toBuffer({ resolveWithObject: true });
    assert.equal(info.channels, 3);
    const plane = 224 * 224;
    for (let i = 0; i < plane; i += 97) {
      for (let c = 0; c < 3; c++) assert.equal(data[i * 3 + c], Math.min(255, Math.max(0, Math.round(input[c * plane + i]!))));
    }
  });

  it('rejects a JSON template without an image placeholder, and inputs of the wrong size', async () => {
    assert.throws(() => httpJsonModel({ url: 'http://127.0.0.1:9/x', body: { image: 'x' }, labelsPath: 'labels' }), /placeholder/);
    const model = visionApiModel({ ...fastOptions(false), endpoint: 'http://127.0.0.1:9' });
    await assert.rejects(model.labels(new Float32Array(10), 1), (e: unknown) => e instanceof LrsalError && e.code === 'MODEL_SHAPE');
  });
});
