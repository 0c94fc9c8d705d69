/**
 * A stand-in OpenAI `/v1/embeddings` route backed by an EmbeddingProvider (default: the offline GloVe provider), so
 * the OpenAI-compatible embedding client can be tried and tested over real HTTP without an account.
 * A text with no known word gets an all-zero vector (OpenAI always returns a vector); the client reads a zero vector
 * as "no known word". Both `encoding_format`s are served: `float` and `base64` (float32 little-endian, the openai
 * client's default). Faults (429, 500, malformed, "unknown": zero vectors) come from server/faults.ts.
 *
 * Mount `handler` on any node:http server for POST /v1/embeddings, or run it alone with `startEmbeddingsServer`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeError, LrsalError } from '../core/errors.js';
import { offlineEmbeddings } from '../embeddings/offline.js';
import type { EmbeddingProvider } from '../embeddings/provider.js';
import { FaultPlan, type StandInFaults } from './faults.js';
import { HttpError, loopbackHostGuard, requireJsonBody } from './request-guards.js';

export const EMBEDDINGS_ROUTE = '/v1/embeddings';

export interface EmbeddingsRouteOptions {
  /** Default: the offline provider (shipped GloVe vectors). */
  provider?: EmbeddingProvider;
  /** Model name reported when the request names none (default "lrsal-glove-100d"). */
  model?: string;
  /** Most texts in one request (default 2048, OpenAI's limit). */
  maxInputs?: number;
  /** Largest request body, in bytes (default 8 MiB). */
  maxBodyBytes?: number;
  faults?: StandInFaults;
}

export interface EmbeddingsRoute {
  readonly path: typeof EMBEDDINGS_ROUTE;
  /** Answers one request to `path` (any method: non-POST gets 405). Never rejects. */
  handler(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Requests received and texts embedded so far. */
  readonly counts: { readonly requests: number; readonly texts: number };
  /** Replace the fault plan (counters restart). */
  setFaults(faults: StandInFaults): void;
}

export function embeddingsRoute(options: EmbeddingsRouteOptions = {}): EmbeddingsRoute {
  const provider = options.provider ?? offlineEmbeddings();
  const maxInputs = options.maxInputs ?? 2048;
  const maxBody = options.maxBodyBytes ?? 8 * 1024 * 1024;
  const faults = new FaultPlan(options.faults);
  const counts = { requests: 0, texts: 0 };

  async function respond(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') return sendError(res, 405, `use POST ${EMBEDDINGS_ROUTE}`);
    counts.requests++;
    requireJsonBody(req);
    const body = (await readJson(req, maxBody)) as { input?: unknown; model?: unknown; encoding_format?: unknown; dimensions?: unknown };
    const delay = faults.delay();
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    const fault = faults.next();
    if (fault.kind === 'rateLimited') {
      res.setHeader('retry-after', String(fault.retryAfterSeconds));
      return sendError(res, 429, 'rate limit exceeded (injected fault)');
    }
    if (fault.kind === 'serverError') return sendError(res, 500, 'internal error (injected fault)');
    if (fault.kind === 'malformed') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end('{"object": "list", "data": [{"embedding": [0.1,');
    }
    const texts = readInputs(body?.input, maxInputs);
    const format = body?.encoding_format ?? 'float';
    if (format !== 'float' && format !== 'base64') throw badRequest(`encoding_format must be "float" or "base64", got ${JSON.stringify(format)}`);
    if (body?.model !== undefined && typeof body.model !== 'string') throw badRequest('model must be a string');
    const embeddings = await provider.embed(texts);
    const d = provider.dimensions;
    if (body?.dimensions !== undefined && body.dimensions !== d) throw badRequest(`this model has ${d} dimensions; got dimensions=${JSON.stringify(body.dimensions)}`);
    counts.texts += texts.length;
    const words = embeddings.reduce((n, e) => n + e.known.length + e.unknown.length, 0);
    return sendJson(res, 200, {
      object: 'list',
      data: embeddings.map((e, index) => {
        const vector = fault.kind === 'unknownClass' || e.vector === null ? new Float32Array(d) : e.vector;
        return { object: 'embedding', index, embedding: format === 'base64' ? Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64') : Array.from(vector) };
      }),
      model: typeof body?.model === 'string' ? body.model : (options.model ?? 'lrsal-glove-100d'),
      usage: { prompt_tokens: words, total_tokens: words },
    });
  }

  return {
    path: EMBEDDINGS_ROUTE,
    counts,
    setFaults: (f) => faults.set(f),
    handler: (req, res) =>
      respond(req, res).catch((error: unknown) =>
        sendError(res, error instanceof HttpError ? error.status : error instanceof LrsalError && error.code === 'INVALID_ARGUMENT' ? 400 : 500, describeError(error)),
      ),
  };
}

export interface EmbeddingsServer {
  readonly url: string;
  readonly route: EmbeddingsRoute;
  close(): Promise<void>;
}

/** The route alone on its own server (default 127.0.0.1, a free port); the OpenAI base URL is `${url}/v1`. */
export async function startEmbeddingsServer(options: EmbeddingsRouteOptions & { host?: string; port?: number } = {}): Promise<EmbeddingsServer> {
  const host = options.host ?? '127.0.0.1';
  const route = embeddingsRoute(options);
  // Set once the port is known (listen picks it).
  const guard: { checkHost?: (req: IncomingMessage) => void } = {};
  const server = createServer((req, res) => {
    try {
      guard.checkHost?.(req);
    } catch (error) {
      return sendError(res, (error as HttpError).status, describeError(error));
    }
    const path = (req.url ?? '/').split('?')[0];
    if (path === route.path) return void route.handler(req, res);
    sendError(res, 404, `no route ${req.method} ${path}; this stand-in serves POST ${route.path}`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  guard.checkHost = loopbackHostGuard(host, port);
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    route,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function badRequest(message: string): LrsalError {
  return new LrsalError('INVALID_ARGUMENT', message);
}

/** `input` as a list of texts: a string or a list of strings (token-id inputs are not supported here). */
function readInputs(input: unknown, maxInputs: number): string[] {
  const texts = typeof input === 'string' ? [input] : input;
  if (!Array.isArray(texts) || texts.length === 0 || !texts.every((t) => typeof t === 'string')) {
    throw badRequest('input must be a string or a non-empty list of strings (token arrays are not supported by this stand-in)');
  }
  if (texts.length > maxInputs) throw badRequest(`at most ${maxInputs} inputs per request, got ${texts.length}`);
  return texts as string[];
}

async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw badRequest(`request body larger than ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw badRequest('request body is not valid JSON');
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** OpenAI's error shape: {error: {message, type, code, param}}. */
function sendError(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) return void res.end();
  const type = status === 429 ? 'rate_limit_error' : status >= 500 ? 'server_error' : 'invalid_request_error';
  sendJson(res, status, { error: { message, type, code: null, param: null } });
}
