/**
 * Stand-in servers: a local classifier behind a real remote API, over real HTTP. Useful to try the remote
 * adapters without an account, and to test them against injected faults (faults.ts).
 *   api 'vision' → POST /v1/images:annotate, Cloud Vision LABEL_DETECTION format; top-K class names + probabilities.
 *   api 'openai' → POST /v1/chat/completions for any model name; the answer is
 *                  "The input image belongs to <top-1 class name>."; GET /v1/models lists one model.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeError, LrsalError } from '../core/errors.js';
import type { Classifier } from '../models/classifier.js';
import { embeddingsRoute } from './embeddings-route.js';
import { ImageClassifierService } from './classify.js';
import { FaultPlan, type StandInFaults } from './faults.js';
import { checkImageBudget, DEFAULT_MAX_IMAGES_PER_REQUEST, DEFAULT_MAX_PIXELS_PER_REQUEST, HttpError, loopbackHostGuard, requireJsonBody } from './request-guards.js';

export type StandInApi = 'vision' | 'openai';

export interface StandInOptions {
  classifier: Classifier;
  api: StandInApi;
  /** 0 picks a free port (default 0). */
  port?: number;
  /** Default 127.0.0.1 (local only). */
  host?: string;
  faults?: StandInFaults;
  /** Largest request body accepted, in bytes (default 32 MiB). */
  maxBodyBytes?: number;
  /** Most images in one request (default 16, Cloud Vision's limit); more is 413. */
  maxImagesPerRequest?: number;
  /** Most pixels in one request, all images together (default 64 Mi); more is 413, before decoding. */
  maxPixelsPerRequest?: number;
}

export interface StandInServer {
  readonly api: StandInApi;
  readonly host: string;
  readonly port: number;
  /** Base URL: `http://host:port` (vision endpoint) — the OpenAI base URL is `${url}/v1`. */
  readonly url: string;
  /** HTTP requests received on the API route, faulty answers included. */
  readonly requests: number;
  /** Images classified. */
  readonly images: number;
  /** Replace the fault plan (counters restart). */
  setFaults(faults: StandInFaults): void;
  close(): Promise<void>;
}

export const STAND_IN_MODEL = 'lrsal-stand-in';
const UNKNOWN_LABEL = 'no known class';

export async function startStandInServer(options: StandInOptions): Promise<StandInServer> {
  const host = options.host ?? '127.0.0.1';
  const maxBody = options.maxBodyBytes ?? 32 * 1024 * 1024;
  const service = new ImageClassifierService(options.classifier);
  const faults = new FaultPlan(options.faults);
  const counts = { requests: 0, images: 0 };
  const api = options.api;
  const route = api === 'vision' ? '/v1/images:annotate' : '/v1/chat/completions';
  // The chat stand-in also serves /v1/embeddings (offline GloVe), like an OpenAI-compatible server would.
  const embeddings = api === 'openai' ? embeddingsRoute() : undefined;

  const maxImages = options.maxImagesPerRequest ?? DEFAULT_MAX_IMAGES_PER_REQUEST;
  const maxPixels = options.maxPixelsPerRequest ?? DEFAULT_MAX_PIXELS_PER_REQUEST;
  // Set once the port is known (listen picks it).
  const guard: { checkHost?: (req: IncomingMessage) => void } = {};
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => sendError(res, api, error instanceof HttpError ? error.status : isClientError(error) ? 400 : 500, describeError(error)));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    guard.checkHost?.(req);
    const path = (req.url ?? '/').split('?')[0];
    if (api === 'openai' && req.method === 'GET' && path === '/v1/models') {
      return sendJson(res, 200, { object: 'list', data: [{ id: STAND_IN_MODEL, object: 'model', created: 0, owned_by: 'lrsal' }] });
    }
    if (embeddings && path === embeddings.path) return embeddings.handler(req, res);
    if (path !== route) return sendError(res, api, 404, `no route ${req.method} ${path}; this ${api} stand-in serves POST ${route}`);
    if (req.method !== 'POST') return sendError(res, api, 405, `use POST ${route}`);
    counts.requests++;
    requireJsonBody(req);
    const body = await readJson(req, maxBody);
    const delay = faults.delay();
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    const fault = faults.next();
    if (fault.kind === 'rateLimited') {
      res.setHeader('retry-after', String(fault.retryAfterSeconds));
      return sendError(res, api, 429, 'rate limit exceeded (injected fault)');
    }
    if (fault.kind === 'serverError') return sendError(res, api, 500, 'internal error (injected fault)');
    if (fault.kind === 'malformed') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end('{"responses": [{"labelAnnotations": [');
    }
    const unknown = fault.kind === 'unknownClass';
    if (api === 'vision') return sendJson(res, 200, await annotate(body, unknown));
    return sendJson(res, 200, await chat(body, unknown));
  }

  async function annotate(body: unknown, unknown: boolean): Promise<unknown> {
    const requests = (body as { requests?: unknown })?.requests;
    if (!Array.isArray(requests) || requests.length === 0) throw new LrsalError('INVALID_ARGUMENT', 'body must be {"requests": [...]} with at least one request');
    const images = requests.map((r: unknown, i) => {
      const content = (r as { image?: { content?: unknown } })?.image?.content;
      if (typeof content !== 'string') throw new LrsalError('INVALID_ARGUMENT', `requests[${i}].image.content must be a base64 string`);
      return Buffer.from(content, 'base64');
    });
    await checkImageBudget(images, maxImages, maxPixels);
    const maxResults = requests.map((r: unknown) => {
      const features = (r as { features?: Array<{ type?: string; maxResults?: number }> })?.features ?? [];
      const k = features.find((f) => f?.type === 'LABEL_DETECTION')?.maxResults;
      return typeof k === 'number' && k > 0 ? Math.min(Math.floor(k), 1000) : 10;
    });
    const ranked = await service.rank(images, Math.max(...maxResults));
    counts.images += images.length;
    return {
      responses: ranked.map((classes, i) => ({
        labelAnnotations: unknown
          ? [{ mid: '/m/unknown', description: UNKNOWN_LABEL, score: 0.99, topicality: 0.99 }]
          : classes.slice(0, maxResults[i]).map((c) => ({ mid: c.wnid ?? `class/${c.index}`, description: c.name, score: c.probability, topicality: c.probability })),
      })),
    };
  }

  async function chat(body: unknown, unknown: boolean): Promise<unknown> {
    const b = body as { model?: unknown; messages?: unknown };
    if (!Array.isArray(b?.messages)) throw new LrsalError('INVALID_ARGUMENT', 'body must have a "messages" list');
    const image = lastImage(b.messages);
    await checkImageBudget([image], maxImages, maxPixels);
    const [classes] = await service.rank([image], 1);
    counts.images++;
    const content = unknown ? 'I cannot tell what this image shows.' : `The input image belongs to ${classes![0]!.name}.`;
    return {
      id: `chatcmpl-standin-${counts.requests}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: typeof b.model === 'string' ? b.model : STAND_IN_MODEL,
      choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 0, completion_tokens: content.split(' ').length, total_tokens: content.split(' ').length },
    };
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  guard.checkHost = loopbackHostGuard(host, port);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    api,
    host,
    port,
    url: `http://${urlHost}:${port}`,
    get requests() {
      return counts.requests;
    },
    get images() {
      return counts.images;
    },
    setFaults: (f) => faults.set(f),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** The image of the last user message that has one (an image_url part holding a data: URL). */
function lastImage(messages: unknown[]): Buffer {
  for (let m = messages.length - 1; m >= 0; m--) {
    const content = (messages[m] as { content?: unknown })?.content;
    if (!Array.isArray(content)) continue;
    for (const part of content) {
      const url = (part as { type?: string; image_url?: { url?: unknown } | string })?.image_url;
      const value = typeof url === 'string' ? url : url?.url;
      if (typeof value !== 'string') continue;
      const match = /^data:image\/[\w.+-]+;base64,(.*)$/s.exec(value);
      if (!match) throw new LrsalError('INVALID_ARGUMENT', 'image_url must be a data:image/...;base64 URL (this stand-in does not fetch URLs)');
      return Buffer.from(match[1]!, 'base64');
    }
  }
  throw new LrsalError('INVALID_ARGUMENT', 'no image_url part in the messages');
}

function isClientError(error: unknown): boolean {
  return error instanceof LrsalError && ['INVALID_ARGUMENT', 'IMAGE_UNREADABLE', 'IMAGE_TOO_LARGE'].includes(error.code);
}

async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new LrsalError('INVALID_ARGUMENT', `request body larger than ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new LrsalError('INVALID_ARGUMENT', 'request body is not valid JSON');
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const GOOGLE_STATUS: Record<number, string> = { 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 405: 'UNIMPLEMENTED', 413: 'INVALID_ARGUMENT', 415: 'INVALID_ARGUMENT', 429: 'RESOURCE_EXHAUSTED' };

/** An error in the API's own format (Google: {error:{code,message,status}}, OpenAI: {error:{message,type}}). */
function sendError(res: ServerResponse, api: StandInApi, status: number, message: string): void {
  if (res.headersSent) return void res.end();
  const body =
    api === 'vision'
      ? { error: { code: status, message, status: GOOGLE_STATUS[status] ?? (status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT') } }
      : { error: { message, type: status === 429 ? 'rate_limit_error' : status >= 500 ? 'server_error' : 'invalid_request_error', code: null, param: null } };
  sendJson(res, status, body);
}
