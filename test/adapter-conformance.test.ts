/**
 * One conformance suite that every model adapter passes: the ONNX classifier, the remote label API and vision
 * chat clients (against the stand-in servers over HTTP), and a plain function through explain()'s seam. Each
 * answers one result per input in the input's order, gives the same answers batched or one at a time, stops
 * when aborted, and refuses a non-finite input instead of answering about garbage.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeTestModels } from '../scripts/make-test-models.js';
import { LrsalError } from '../src/core/errors.js';
import { QueryLedger } from '../src/core/ledger.js';
import { sizeOf, type Shape } from '../src/core/tensor.js';
import { openBlackBox } from '../src/explain/black-box.js';
import { loadOnnxModel } from '../src/models/onnx.js';
import { openAiChatModel } from '../src/models/remote/openai-chat.js';
import { visionApiModel } from '../src/models/remote/vision-api.js';
import type { StandInServer } from '../src/stand-in/stand-in.js';
import { startStandInServer } from '../src/stand-in/stand-in.js';
import { tempDir } from './helpers/files.js';
import { copies, fastOptions, kittenInput, sharedClassifier } from './remote-fixtures.js';

/** What the suite needs of an adapter: its input shape and answers for a batch, comparable across calls. */
interface Adapter {
  shape: Shape;
  answer(inputs: Float32Array, count: number, signal?: AbortSignal): Promise<unknown[]>;
  inputs(count: number): Promise<Float32Array>;
  close(): Promise<void>;
}

type Factory = () => Promise<Adapter>;

const onnx: Factory = async () => {
  const [tiny] = makeTestModels();
  const file = join(tempDir(), `${tiny!.name}.onnx`);
  writeFileSync(file, tiny!.bytes);
  const model = await loadOnnxModel(file, { threads: 1 });
  const d = sizeOf(model.inputShape);
  return {
    shape: model.inputShape,
    async answer(inputs, count, signal) {
      const scores = await model.scores(inputs, count, signal);
      return Array.from({ length: count }, (_, i) => Array.from(scores.subarray(i * model.classes, (i + 1) * model.classes)));
    },
    inputs: async (count) => Float32Array.from({ length: count * d }, (_, i) => Math.sin(i * 0.37) + (i % d === 0 ? Math.floor(i / d) : 0)),
    close: () => model.dispose(),
  };
};

function remote(api: 'vision' | 'openai'): Factory {
  return async () => {
    const server: StandInServer = await startStandInServer({ classifier: await sharedClassifier(), api, port: 0 });
    const options = fastOptions(false);
    const model = api === 'vision' ? visionApiModel({ ...options, endpoint: server.url, maxResults: 3 }) : openAiChatModel({ ...options, endpoint: `${server.url}/v1`, model: 'any' });
    const base = await kittenInput();
    return {
      shape: model.inputShape,
      answer: (inputs, count, signal) => (model.kind === 'labels' ? model.labels(inputs, count, signal) : model.answer(inputs, count, 'The input image belongs to [MASK]', signal)),
      inputs: async (count) => copies(base, count),
      async close() {
        await model.dispose();
        await server.close();
      },
    };
  };
}

const fn: Factory = async () => {
  const shape = { channels: 3, height: 4, width: 4 };
  const box = openBlackBox(async (inputs: Float32Array, count: number) => Float32Array.from({ length: count }, (_, i) => inputs[i * 48]! * 2 + inputs[i * 48 + 47]!), { inputShape: shape });
  const [resolved] = await box.resolve(new Float32Array(48), new QueryLedger(1_000), {});
  return {
    shape,
    answer: async (inputs, count, signal) => Array.from(await resolved!.f.evaluate(inputs, count, signal)),
    inputs: async (count) => Float32Array.from({ length: count * 48 }, (_, i) => (i * 7) % 13),
    close: async () => {},
  };
};

const adapters: Array<[string, Factory]> = [
  ['onnx', onnx],
  ['remote label API (vision)', remote('vision')],
  ['remote vision chat (openai)', remote('openai')],
  ['function', fn],
];

for (const [name, factory] of adapters) {
  describe(`model adapter conformance: ${name}`, () => {
    let adapter: Adapter;
    before(async () => {
      adapter = await factory();
    });
    after(async () => {
      await adapter.close();
    });

    it('answers one result per input, in order, the same batched as one at a time', async () => {
      const count = 5;
      const inputs = await adapter.inputs(count);
      const together = await adapter.answer(inputs, count);
      assert.equal(together.length, count);
      const d = sizeOf(adapter.shape);
      for (let i = 0; i < count; i++) {
        const alone = await adapter.answer(inputs.slice(i * d, (i + 1) * d), 1);
        assert.deepEqual(alone[0], together[i], `input ${i}`);
      }
    });

    it('refuses a batch whose size does not match its inputs', async () => {
      const inputs = await adapter.inputs(2);
      await assert.rejects(adapter.answer(inputs, 3), LrsalError);
    });

    it('stops when aborted', async () => {
      const controller = new AbortController();
      controller.abort();
      await assert.rejects(adapter.answer(await adapter.inputs(2), 2, controller.signal), (e: unknown) => e instanceof LrsalError && e.code === 'ABORTED');
    });

    it('refuses a non-finite input instead of answering about garbage', async () => {
      const inputs = await adapter.inputs(2);
      inputs[sizeOf(adapter.shape) + 3] = NaN;
      await assert.rejects(adapter.answer(inputs, 2), (e: unknown) => e instanceof LrsalError && /non-finite|NaN/.test(e.message));
    });
  });
}
