/**
 * Embeddings from any OpenAI-compatible `/v1/embeddings` endpoint (OpenAI, vLLM, llama.cpp server, Ollama, Text
 * Embeddings Inference, or the stand-in route in server/embeddings-route.ts) through the `openai` client. Requests go
 * through the remote-model engine (remote-queries.ts) with texts in place of images: on-disk cache, budget counted
 * in texts sent, batching, concurrency/rate limits and our retries (the client's own are off). The API key is read
 * from an environment variable and never printed.
 */
import OpenAI from 'openai';
import { z } from 'zod';
import { LrsalError } from '../../core/errors.js';
import { checkEndpoint } from './endpoint.js';
import { guardedFetch } from './guarded-fetch.js';
import { displayUrl, trimBase } from './http.js';
import { apiKeyFromEnv, resolveRemoteOptions, type RemoteOptions } from './options.js';
import { RemoteQueries, type RemoteProtocol } from './remote-queries.js';
import { AttemptFailure } from './retry.js';
import type { RemoteStats } from './types.js';
import type { EmbeddingProvider, TextEmbedding } from '../../embeddings/provider.js';
import { classifyOpenAiError } from './openai-errors.js';

export const DEFAULT_EMBEDDINGS_ENDPOINT = 'https://api.openai.com/v1';

export interface OpenAiEmbeddingOptions extends Omit<RemoteOptions, 'inputShape'> {
  /** Base URL including /v1, e.g. http://127.0.0.1:8000/v1 (default https://api.openai.com/v1). */
  endpoint?: string;
  /** Model name sent with each request, e.g. text-embedding-3-small. */
  model: string;
  /** Environment variable with the API key (default OPENAI_API_KEY). Local servers accept any key; "none" is sent if unset. */
  apiKeyEnv?: string;
  /** Requested vector length (sent as `dimensions`, which text-embedding-3 models honour); default: the model's own. */
  dimensions?: number;
  /** Most texts per HTTP request (default 64). */
  textsPerRequest?: number;
}

export interface OpenAiEmbeddingProvider extends EmbeddingProvider {
  /** Endpoint URL without query string or credentials (safe to print). */
  readonly endpoint: string;
  /** Texts sent, cache hits, retries, cost (`sent` counts texts, not requests). */
  stats(): RemoteStats;
}

/** Distinct texts remembered in memory: chat answers repeat a lot within a run, and the cache is per process. */
const MEMO_LIMIT = 10_000;

export function openAiEmbeddings(options: OpenAiEmbeddingOptions): OpenAiEmbeddingProvider {
  const o = resolveRemoteOptions(options);
  const baseURL = trimBase(checkEndpoint(options.endpoint ?? DEFAULT_EMBEDDINGS_ENDPOINT));
  const endpoint = displayUrl(`${baseURL}/embeddings`);
  const isOpenAi = /(^|\.)openai\.com$/.test(new URL(baseURL).hostname);
  const apiKey = apiKeyFromEnv(options.apiKeyEnv ?? 'OPENAI_API_KEY', isOpenAi) ?? 'none';
  const client = new OpenAI({ apiKey, baseURL, maxRetries: 0, timeout: o.timeoutMs * 2, fetch: guardedFetch(o.maxResponseBytes) });
  const requested = options.dimensions;
  if (requested !== undefined && !(Number.isInteger(requested) && requested > 0)) {
    throw new LrsalError('INVALID_ARGUMENT', `dimensions must be an integer > 0, got ${requested}`);
  }
  const textsPerRequest = options.textsPerRequest ?? 64;
  if (!(Number.isInteger(textsPerRequest) && textsPerRequest > 0)) {
    throw new LrsalError('INVALID_ARGUMENT', `textsPerRequest must be an integer > 0, got ${textsPerRequest}`);
  }
  const queries = new RemoteQueries(o);
  const memo = new Map<string, Float32Array | null>();
  let dimensions = requested ?? 0;

  const protocol: RemoteProtocol<number[]> = {
    identity: JSON.stringify({ api: 'openai-embeddings', endpoint, model: options.model, dimensions: requested ?? null }),
    what: `POST ${endpoint}`,
    imagesPerRequest: textsPerRequest,
    answerSchema: z.array(z.number()),
    inFlight: 'requests',
    async send(texts, signal) {
      let response: unknown;
      try {
        response = await client.embeddings.create(
          {
            model: options.model,
            input: texts.map((t) => t.toString('utf8')),
            // Plain floats: older OpenAI-compatible servers do not implement base64 (the client's default).
            encoding_format: 'float',
            ...(requested !== undefined ? { dimensions: requested } : {}),
          },
          { signal },
        );
      } catch (error) {
        throw classifyOpenAiError(error);
      }
      return readEmbeddings(response, texts.length);
    },
  };

  const toEmbedding = (text: string, vector: Float32Array | null): TextEmbedding => {
    const words = text.trim().split(/\s+/).filter((w) => w !== '');
    // An all-zero vector is how the stand-in route (and some servers) say "no known word": detected, not scored.
    return vector === null ? { vector, known: [], unknown: words } : { vector, known: words, unknown: [] };
  };

  return {
    name: `openai:${options.model}`,
    endpoint,
    get dimensions() {
      return dimensions;
    },
    async embed(texts, signal) {
      // This call's vectors live in `found`, so a batch larger than the memo cannot evict its own answers.
      const found = new Map<string, Float32Array | null>();
      for (const t of texts) if (t.trim() === '') found.set(t, null);
      for (const t of texts) if (!found.has(t) && memo.has(t)) found.set(t, memo.get(t)!);
      const todo = [...new Set(texts.filter((t) => !found.has(t)))];
      if (todo.length > 0) {
        const vectors = await queries.query(todo.map((t) => Buffer.from(t, 'utf8')), protocol, signal);
        todo.forEach((text, i) => {
          const v = vectors[i]!;
          if (dimensions === 0) dimensions = v.length;
          if (v.length !== dimensions) throw new LrsalError('REMOTE_ERROR', `${protocol.what}: got a ${v.length}-d embedding, expected ${dimensions}-d`);
          const vector = v.every((x) => x === 0) ? null : Float32Array.from(v);
          found.set(text, vector);
          if (memo.size >= MEMO_LIMIT) memo.delete(memo.keys().next().value!);
          memo.set(text, vector);
        });
      }
      return texts.map((text) => toEmbedding(text, found.get(text)!));
    },
    stats: () => queries.stats(),
  };
}

/** The `data[i].embedding` arrays of an embeddings response, in input order (by `index` when given). */
function readEmbeddings(response: unknown, count: number): number[][] {
  const data = (response as { data?: unknown })?.data;
  if (!Array.isArray(data) || data.length !== count) {
    throw new AttemptFailure('malformed', `expected "data" with ${count} embeddings, got ${Array.isArray(data) ? data.length : typeof data}`);
  }
  const out: number[][] = new Array<number[]>(count);
  data.forEach((item: unknown, position) => {
    const { index, embedding } = (item ?? {}) as { index?: unknown; embedding?: unknown };
    const at = typeof index === 'number' ? index : position;
    if (!(Number.isInteger(at) && at >= 0 && at < count) || out[at] !== undefined) throw new AttemptFailure('malformed', `bad or repeated index ${String(index)} in "data"`);
    if (!Array.isArray(embedding) || embedding.length === 0 || !embedding.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw new AttemptFailure('malformed', `data[${position}].embedding is not a non-empty list of finite numbers`);
    }
    out[at] = embedding as number[];
  });
  return out;
}
