/**
 * The remote half of `lrsal explain` (`--api vision|openai|http`): build the adapter from flags, show the cost
 * estimate before any query, refuse a run whose estimate exceeds --max-cost, then explain and write outputs.
 */
import { createInterface } from 'node:readline/promises';
import { LrsalError, invalidArgument } from '../core/errors.js';
import { httpJsonModel } from '../models/remote/http-json.js';
import { openAiChatModel } from '../models/remote/openai-chat.js';
import { DEFAULT_CACHE_DIR, type RemoteOptions } from '../models/remote/options.js';
import type { RemoteLabelModel, RemoteTextModel } from '../models/remote/types.js';
import { visionApiModel } from '../models/remote/vision-api.js';
import { REMOTE_OBJECTIVES, type RemoteObjective } from '../objectives/remote.js';
import type { ExplainOptions } from '../explain/index.js';
import { offlineEmbeddings } from '../embeddings/offline.js';
import { openAiEmbeddings } from '../models/remote/openai-embeddings.js';

export const REMOTE_APIS = ['vision', 'openai', 'http'] as const;
export type RemoteApi = (typeof REMOTE_APIS)[number];

export interface RemoteFlags {
  api: RemoteApi;
  endpoint?: string;
  model?: string;
  objective?: string;
  target?: string;
  question?: string;
  price?: number;
  maxCost?: number;
  yes?: boolean;
  cache?: boolean;
  cacheDir?: string;
  concurrency?: number;
  rps?: number;
  timeout?: number;
  maxResponseMb?: number;
  httpBody?: string;
  httpLabels?: string;
  maxLabels?: number;
  embeddings?: string;
  embeddingsModel?: string;
  queries: number;
}

/**
 * Throws INVALID_ARGUMENT naming the flag unless `value` is an http(s) URL: a typo must not reach fetch,
 * whose "Invalid URL" / "fetch failed" names neither the flag nor the problem. Credentials are never echoed.
 */
export function checkEndpoint(flag: string, value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalidArgument(`${flag} must be an http:// or https:// URL like http://localhost:8080, got "${value.replace(/\/\/[^/@]*@/, '//***@')}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalidArgument(`${flag} must be an http:// or https:// URL, got the ${url.protocol.replace(':', '')} scheme`);
  }
  if (url.port && FETCH_BLOCKED_PORTS.has(Number(url.port))) {
    throw invalidArgument(`${flag} uses port ${url.port}, which fetch refuses to connect to (a "bad port" of the Fetch standard); use another port`);
  }
}

/** Ports the Fetch standard blocks (fetch fails with a bare "fetch failed" on them). */
const FETCH_BLOCKED_PORTS = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139,
  143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049,
  3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

export function remoteModel(flags: RemoteFlags, size: number): RemoteLabelModel | RemoteTextModel {
  if (flags.endpoint !== undefined) checkEndpoint('--endpoint', flags.endpoint);
  if (flags.embeddings !== undefined && flags.embeddings !== 'offline') checkEndpoint('--embeddings', flags.embeddings);
  const common: RemoteOptions = {
    inputShape: { channels: 3, height: size, width: size },
    ...(flags.concurrency ? { concurrency: flags.concurrency } : {}),
    ...(flags.rps ? { requestsPerSecond: flags.rps } : {}),
    ...(flags.timeout ? { timeoutMs: flags.timeout } : {}),
    ...(flags.maxResponseMb ? { maxResponseBytes: Math.round(flags.maxResponseMb * 1024 * 1024) } : {}),
    ...(flags.price !== undefined ? { pricePerQuery: flags.price } : {}),
    ...(flags.maxCost !== undefined ? { maxCost: flags.maxCost } : {}),
    maxQueries: flags.queries,
    cacheDir: cacheDirOf(flags),
  };
  switch (flags.api) {
    case 'vision':
      return visionApiModel({ ...common, maxResults: flags.maxLabels ?? 1, ...(flags.endpoint ? { endpoint: flags.endpoint } : {}) });
    case 'openai':
      if (!flags.model) throw invalidArgument('--api openai needs --model NAME (the chat model to ask)');
      return openAiChatModel({ ...common, model: flags.model, ...(flags.endpoint ? { endpoint: flags.endpoint } : {}) });
    case 'http': {
      if (!flags.endpoint || !flags.httpBody || flags.httpLabels === undefined) {
        throw invalidArgument('--api http needs --endpoint URL, --http-body TEMPLATE (JSON with "{{image}}") and --http-labels PATH');
      }
      let body: unknown;
      try {
        body = JSON.parse(flags.httpBody);
      } catch {
        throw invalidArgument('--http-body is not valid JSON');
      }
      return httpJsonModel({ ...common, url: flags.endpoint, body, labelsPath: flags.httpLabels });
    }
  }
}

/** Show the estimate; stop (or ask, on a terminal) before a run that could exceed --max-cost. */
async function confirmCost(model: RemoteLabelModel | RemoteTextModel, flags: RemoteFlags): Promise<void> {
  const estimate = model.estimateCost(flags.queries);
  process.stderr.write(`lrsal: up to ${flags.queries} queries to ${model.endpoint}; estimated cost ${estimate} (cached answers are free)\n`);
  if (flags.maxCost !== undefined && estimate > flags.maxCost) {
    if (flags.yes || !process.stdin.isTTY || !process.stderr.isTTY) {
      throw new LrsalError('BUDGET_EXCEEDED', `estimated cost ${estimate} exceeds --max-cost ${flags.maxCost}; nothing was sent (lower --queries, or raise --max-cost)`);
    }
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    const answer = await rl.question(`The estimate exceeds --max-cost ${flags.maxCost}; queries past it will be refused. Start anyway? [y/N] `);
    rl.close();
    if (!/^y(es)?$/i.test(answer.trim())) throw new LrsalError('BUDGET_EXCEEDED', 'run cancelled before sending anything');
  }
}

/**
 * The remote model and the remote-only explain options from the flags, after the cost check: nothing is sent
 * before the estimate is shown and accepted. The caller disposes of the model.
 */
export async function openRemote(flags: RemoteFlags): Promise<{ model: RemoteLabelModel | RemoteTextModel; options: Pick<ExplainOptions, 'objective' | 'question' | 'embeddings' | 'size' | 'target'> }> {
  if (!flags.target) throw invalidArgument('--api needs --target (a class name, WordNet id, or for semantic the target answer)');
  const objective = (flags.objective ?? (flags.api === 'openai' ? 'prompt' : 'label')) as RemoteObjective;
  if (!(REMOTE_OBJECTIVES as readonly string[]).includes(objective)) {
    throw invalidArgument(`--objective ${objective} is for score models; remote models take ${REMOTE_OBJECTIVES.join(', ')}`);
  }
  const size = 224;
  const model = remoteModel(flags, size);
  try {
    await confirmCost(model, flags);
    const semantic = objective === 'semantic' ? semanticOptions(flags) : {};
    return { model, options: { ...semantic, objective, target: flags.target, size } };
  } catch (error) {
    await model.dispose();
    throw error;
  }
}

/** Question and embedding provider of the semantic objective: offline GloVe, or an OpenAI-compatible endpoint. */
function semanticOptions(flags: RemoteFlags): Pick<ExplainOptions, 'question' | 'embeddings'> {
  const where = flags.embeddings ?? 'offline';
  const embeddings =
    where === 'offline'
      ? offlineEmbeddings()
      : openAiEmbeddings({ endpoint: where, model: flags.embeddingsModel ?? 'text-embedding-3-small', cacheDir: cacheDirOf(flags) });
  return { ...(flags.question ? { question: flags.question } : {}), embeddings };
}

function cacheDirOf(flags: RemoteFlags): string | false {
  return flags.cache === false ? false : flags.cacheDir ?? DEFAULT_CACHE_DIR;
}
