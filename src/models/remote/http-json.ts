/**
 * A configurable JSON label API: one image per POST. The request body is a template in which any string
 * "{{image}}" is replaced by the base64 PNG and "{{dataUrl}}" by a `data:image/png;base64,...` URL (also
 * inside longer strings). Labels are read at a dot path in the response (numbers index lists), e.g.
 *   body: {"instances": [{"b64": "{{image}}"}]}, labelsPath: "predictions.0.labels"
 * Each label is a string, or an object whose `labelField` (default "label") and `scoreField` (default "score")
 * are read. The Cloud Vision format is: labelsPath "responses.0.labelAnnotations", labelField "description".
 */
import { invalidArgument } from '../../core/errors.js';
import { checkEndpoint } from './endpoint.js';
import { displayUrl, postJsonOnce } from './http.js';
import { apiKeyFromEnv, resolveRemoteOptions, type RemoteOptions } from './options.js';
import { RemoteQueries, remoteLabelModel } from './remote-queries.js';
import { AttemptFailure } from './retry.js';
import type { LabelAnswer, RemoteLabelModel } from './types.js';

export interface HttpJsonOptions extends RemoteOptions {
  /** Full URL to POST to. */
  url: string;
  /** Request body template (see above). */
  body: unknown;
  /** Dot path to the list of labels in the response ("" = the response itself). */
  labelsPath: string;
  labelField?: string;
  scoreField?: string;
  /** Extra request headers (no secrets here: they would end up in the cache identity; use apiKey). */
  headers?: Record<string, string>;
  /** Send the key in environment variable `env` as header `header` (default authorization) with `prefix` (default "Bearer "). */
  apiKey?: { env: string; header?: string; prefix?: string };
}

export function httpJsonModel(options: HttpJsonOptions): RemoteLabelModel {
  const o = resolveRemoteOptions(options);
  checkEndpoint(options.url, 'url');
  if (!JSON.stringify(options.body ?? null).match(/\{\{(image|dataUrl)\}\}/)) {
    throw invalidArgument('http-json body template has no "{{image}}" or "{{dataUrl}}" placeholder');
  }
  const labelField = options.labelField ?? 'label';
  const scoreField = options.scoreField ?? 'score';
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.apiKey) {
    const key = apiKeyFromEnv(options.apiKey.env, true)!;
    headers[options.apiKey.header ?? 'authorization'] = (options.apiKey.prefix ?? 'Bearer ') + key;
  }
  const endpoint = displayUrl(options.url);
  const queries = new RemoteQueries(o);
  const what = `POST ${endpoint}`;
  const protocol = {
    identity: JSON.stringify({ api: 'http-json', url: options.url, body: options.body, labelsPath: options.labelsPath, labelField, scoreField, extra: options.headers ?? {} }),
    what,
    imagesPerRequest: 1,
    async send(images: Buffer[], signal: AbortSignal): Promise<LabelAnswer[][]> {
      const base64 = images[0]!.toString('base64');
      const json = await postJsonOnce(options.url, fillTemplate(options.body, base64), headers, signal, o.maxResponseBytes);
      return [readLabels(json, options.labelsPath, labelField, scoreField)];
    },
  };
  return remoteLabelModel(o, queries, protocol, endpoint);
}

/** Copy of `template` with the placeholders replaced in every string. */
export function fillTemplate(template: unknown, base64: string): unknown {
  if (typeof template === 'string') {
    return template.replaceAll('{{image}}', base64).replaceAll('{{dataUrl}}', `data:image/png;base64,${base64}`);
  }
  if (Array.isArray(template)) return template.map((t) => fillTemplate(t, base64));
  if (template && typeof template === 'object') {
    return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, fillTemplate(v, base64)]));
  }
  return template;
}

export function readLabels(json: unknown, path: string, labelField: string, scoreField: string): LabelAnswer[] {
  let node: unknown = json;
  for (const part of path.split('.').filter(Boolean)) {
    if (node === null || typeof node !== 'object') throw new AttemptFailure('malformed', `no "${path}" in the response`);
    node = (node as Record<string, unknown>)[part];
  }
  if (node === undefined) return []; // an API may omit an empty label list
  if (!Array.isArray(node)) throw new AttemptFailure('malformed', `"${path}" is not a list`);
  return node.map((item: unknown, i) => {
    if (typeof item === 'string') return { label: item };
    const record = (item ?? {}) as Record<string, unknown>;
    const label = record[labelField];
    if (typeof label !== 'string') throw new AttemptFailure('malformed', `"${path}.${i}" has no string field "${labelField}"`);
    const score = record[scoreField];
    return typeof score === 'number' ? { label, score } : { label };
  });
}
