/**
 * Google Cloud Vision LABEL_DETECTION (`POST {endpoint}/v1/images:annotate`), or anything speaking its format
 * (e.g. `lrsal serve-model --api vision`). Several images go in one request (Cloud Vision takes up to 16).
 * Request:  {"requests":[{"image":{"content":base64},"features":[{"type":"LABEL_DETECTION","maxResults":K}]}]}
 * Response: {"responses":[{"labelAnnotations":[{"mid","description","score","topicality"}]} | {"error":{...}}]}
 */
import { LrsalError } from '../../core/errors.js';
import { checkEndpoint } from './endpoint.js';
import { displayUrl, postJsonOnce, trimBase } from './http.js';
import { redact } from './redact.js';
import { apiKeyFromEnv, resolveRemoteOptions, type RemoteOptions } from './options.js';
import { RemoteQueries, remoteLabelModel } from './remote-queries.js';
import { AttemptFailure } from './retry.js';
import type { LabelAnswer, RemoteLabelModel } from './types.js';

export const VISION_API_PATH = '/v1/images:annotate';
export const DEFAULT_VISION_ENDPOINT = 'https://vision.googleapis.com';

export interface VisionApiOptions extends RemoteOptions {
  /** Base URL, `http://host:port` (default https://vision.googleapis.com); the path is added here. */
  endpoint?: string;
  /** Labels asked for per image (default 10). */
  maxResults?: number;
  /**
   * Most images per request (default 4; Cloud Vision takes up to 16). Fewer per request keep more requests in
   * flight: requests never carry more than `concurrency` images, so a kill loses at most that many answers.
   */
  imagesPerRequest?: number;
  /** Environment variable holding the API key, sent as the x-goog-api-key header (default GOOGLE_API_KEY; optional). */
  apiKeyEnv?: string;
}

export function visionApiModel(options: VisionApiOptions = {}): RemoteLabelModel {
  const o = resolveRemoteOptions(options);
  const url = trimBase(checkEndpoint(options.endpoint ?? DEFAULT_VISION_ENDPOINT)) + VISION_API_PATH;
  const maxResults = options.maxResults ?? 10;
  const apiKey = apiKeyFromEnv(options.apiKeyEnv ?? 'GOOGLE_API_KEY', false);
  const endpoint = displayUrl(url);
  const queries = new RemoteQueries(o);
  const what = `POST ${endpoint}`;
  const protocol = {
    identity: JSON.stringify({ api: 'vision-labels', endpoint, maxResults }),
    what,
    imagesPerRequest: options.imagesPerRequest ?? 4,
    async send(images: Buffer[], signal: AbortSignal): Promise<LabelAnswer[][]> {
      const body = {
        requests: images.map((png) => ({ image: { content: png.toString('base64') }, features: [{ type: 'LABEL_DETECTION', maxResults }] })),
      };
      const json = await postJsonOnce(url, body, apiKey ? { 'x-goog-api-key': apiKey } : {}, signal, o.maxResponseBytes);
      return parseVisionResponse(json, images.length, what);
    },
  };
  return remoteLabelModel(o, queries, protocol, endpoint);
}

/** One label list per image; a per-image error or a wrong shape is REMOTE_ERROR naming the endpoint. */
export function parseVisionResponse(json: unknown, count: number, what: string): LabelAnswer[][] {
  const responses = (json as { responses?: unknown })?.responses;
  if (!Array.isArray(responses) || responses.length !== count) {
    throw new AttemptFailure('malformed', `expected {"responses": [...]} with ${count} entries`);
  }
  return responses.map((r: unknown, i) => {
    const entry = r as { error?: { code?: number; message?: string }; labelAnnotations?: unknown };
    if (entry?.error) {
      throw new LrsalError('REMOTE_ERROR', redact(`${what}: image ${i} failed (${entry.error.code ?? '?'}: ${redact(String(entry.error.message ?? '')).slice(0, 200)})`));
    }
    const annotations = entry?.labelAnnotations ?? [];
    if (!Array.isArray(annotations)) throw new AttemptFailure('malformed', `responses[${i}].labelAnnotations is not a list`);
    return annotations.map((a: unknown, j) => {
      const { description, score } = (a ?? {}) as { description?: unknown; score?: unknown };
      if (typeof description !== 'string') throw new AttemptFailure('malformed', `responses[${i}].labelAnnotations[${j}] has no description`);
      return typeof score === 'number' ? { label: description, score } : { label: description };
    });
  });
}
