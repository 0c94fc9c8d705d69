/**
 * Remote speed (issue 10 §4): a full remote explanation against the vision stand-in with an injected 100 ms
 * latency per request, concurrency 16, no rate cap. The stand-in's model is an instant fake on 32×32 images,
 * so the endpoint is latency-bound, as real APIs are; the ideal is concurrency / latency queries per second:
 *   remoteThroughputRatio = achieved queries/s ÷ (concurrency / latency); goal ≥ 0.8.
 * Run alone: node dist/bench/remote-throughput.js [--queries 800]
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Classifier } from '../src/models/classifier.js';
import type { ModelCard } from '../src/models/config.js';
import { preprocessingSchema } from '../src/models/preprocess.js';
import { openAiChatModel } from '../src/models/remote/openai-chat.js';
import type { LabelModel, TextModel } from '../src/models/remote/types.js';
import { visionApiModel } from '../src/models/remote/vision-api.js';
import { explainRemote } from '../src/explain/index.js';
import { startStandInServer, type StandInApi } from '../src/stand-in/stand-in.js';
import { kittenPath } from './paths.js';

const SIZE = 32;
const shape = { channels: 3, height: SIZE, width: SIZE };

/** A classifier that answers "tabby" at once: the stand-in's time is then its injected latency alone. */
function instantClassifier(): Classifier {
  const classes = 2;
  return {
    model: {
      inputShape: shape,
      classes,
      scoreKind: 'logits',
      async scores(_inputs: Float32Array, count: number) {
        const out = new Float32Array(count * classes);
        for (let i = 0; i < count; i++) out[i * classes] = 5;
        return out;
      },
    } as unknown as Classifier['model'],
    preprocessing: preprocessingSchema.parse({ height: SIZE, width: SIZE, resizeShorter: SIZE }),
    labels: [
      { index: 0, name: 'tabby', wnid: 'n02123045', aliases: [] },
      { index: 1, name: 'tiger cat', wnid: 'n02123159', aliases: [] },
    ],
    card: { model: 'instant' } as unknown as ModelCard,
    prepare: () => Promise.reject(new Error('the bench sends model-sized images only')),
    dispose: async () => undefined,
  };
}

/** The model, recording when its first call started and its last call ended. */
function timed<M extends LabelModel | TextModel>(model: M): M & { span: { first: number; last: number } } {
  const span = { first: Infinity, last: 0 };
  const around = async <T>(call: () => Promise<T>): Promise<T> => {
    span.first = Math.min(span.first, performance.now());
    try {
      return await call();
    } finally {
      span.last = performance.now();
    }
  };
  if (model.kind === 'labels') {
    const labels = model.labels.bind(model);
    return Object.assign(model, { span, labels: (x: Float32Array, n: number, s?: AbortSignal) => around(() => labels(x, n, s)) });
  }
  const answer = model.answer.bind(model);
  return Object.assign(model, { span, answer: (x: Float32Array, n: number, p: string, s?: AbortSignal) => around(() => answer(x, n, p, s)) });
}

export interface RemoteThroughput {
  api: StandInApi;
  concurrency: number;
  latencyMs: number;
  queries: number;
  seconds: number;
  queriesPerSecond: number;
  remoteThroughputRatio: number;
}

/** One run of `queries` (the explanation's own batches, default batch size) through the adapter of `api`. */
export async function remoteThroughput(api: StandInApi, queries = 800, concurrency = 16, latencyMs = 100, batchSize?: number): Promise<RemoteThroughput> {
  const server = await startStandInServer({ classifier: instantClassifier(), api, faults: { delayMs: latencyMs } });
  try {
    const common = { inputShape: shape, concurrency, requestsPerSecond: Infinity, cacheDir: false as const, onWarning: () => undefined };
    const model = timed(api === 'vision' ? visionApiModel({ ...common, endpoint: server.url }) : openAiChatModel({ ...common, endpoint: `${server.url}/v1`, model: 'm' }));
    const result = await explainRemote(model, kittenPath(), { target: 'tabby', size: SIZE, queries, method: 'vanilla', gradient: 'blockwise', seed: 1, ...(batchSize ? { batchSize } : {}) });
    // From the first query sent to the last answer: one-time set-up (WordNet, image decoding) is not remote speed.
    const seconds = (model.span.last - model.span.first) / 1000;
    const perSecond = result.sent / seconds;
    return {
      api,
      concurrency,
      latencyMs,
      queries: result.sent,
      seconds: Number(seconds.toFixed(3)),
      queriesPerSecond: Number(perSecond.toFixed(1)),
      remoteThroughputRatio: Number((perSecond / (concurrency / (latencyMs / 1000))).toFixed(3)),
    };
  } finally {
    await server.close();
  }
}

/** The bench's remote section: the vision preset's ratio is the headline, the chat preset's beside it. */
export async function remoteThroughputReport(queries = 800): Promise<{ remoteThroughputRatio: number; goal: number; met: boolean; runs: RemoteThroughput[] }> {
  const runs = [await remoteThroughput('vision', queries), await remoteThroughput('openai', queries)];
  const ratio = runs[0]!.remoteThroughputRatio;
  return { remoteThroughputRatio: ratio, goal: 0.8, met: ratio >= 0.8, runs };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { queries: { type: 'string', default: '800' } } });
  process.stdout.write(JSON.stringify(await remoteThroughputReport(Number(values.queries)), null, 2) + '\n');
}
