/**
 * Options every remote adapter shares, with their defaults in one place. Defaults are polite to a real paid
 * API (16 queries in flight, at most 10 requests started per second, bounded retries); local stand-in servers can
 * raise them.
 */
import { invalidArgument, requireInteger } from '../../core/errors.js';
import type { Shape } from '../../core/tensor.js';
import { DEFAULT_MAX_RESPONSE_BYTES } from './guarded-fetch.js';
import { registerSecret } from './redact.js';

export interface RemoteOptions {
  /** Shape of one input (CHW, raw 0..255 pixels); default 3×224×224. */
  inputShape?: Shape;
  /**
   * Queries (images, or texts for embeddings) in flight at once, whatever the estimator's batch size
   * (default 16): requests carry at most this many images together, so a kill loses at most this many answers.
   */
  concurrency?: number;
  /** Most HTTP requests started per second (default 10; Infinity for no cap). */
  requestsPerSecond?: number;
  /** Per-attempt timeout in ms (default 60 000). */
  timeoutMs?: number;
  /** Extra attempts after a 408, 429, 5xx, timeout, network error or malformed answer (default 4). */
  retries?: number;
  /** First backoff delay in ms, doubled per retry with ±25 % jitter (default 500). */
  backoffMs?: number;
  /** Longest wait between attempts, Retry-After included; a longer Retry-After fails at once (default 60 000). */
  maxBackoffMs?: number;
  /** Most images to send over the model's lifetime (default: unlimited). Checked before sending. */
  maxQueries?: number;
  /** Price of one image sent, in any currency unit (default 0). */
  pricePerQuery?: number;
  /** Most money to spend, in the unit of pricePerQuery (default: unlimited). Checked before sending. */
  maxCost?: number;
  /** Answer cache folder, or false for none (default `.lrsal-cache` in the working directory). */
  cacheDir?: string | false;
  /** Largest answer read, in bytes (default 8 MiB); reading stops there and the request fails, not retried. */
  maxResponseBytes?: number;
  /** Where warnings go (a bad cache entry, a failed cache write); default: one `lrsal: warning: ...` line on stderr. */
  onWarning?: (message: string) => void;
}

export type ResolvedRemoteOptions = Required<RemoteOptions>;

export const DEFAULT_CACHE_DIR = '.lrsal-cache';

export const REMOTE_DEFAULTS: ResolvedRemoteOptions = {
  inputShape: { channels: 3, height: 224, width: 224 },
  concurrency: 16,
  requestsPerSecond: 10,
  timeoutMs: 60_000,
  retries: 4,
  backoffMs: 500,
  maxBackoffMs: 60_000,
  maxQueries: Infinity,
  pricePerQuery: 0,
  maxCost: Infinity,
  cacheDir: DEFAULT_CACHE_DIR,
  maxResponseBytes: DEFAULT_MAX_RESPONSE_BYTES,
  onWarning: (message) => void process.stderr.write(`lrsal: warning: ${message}\n`),
};

export function resolveRemoteOptions(options: RemoteOptions): ResolvedRemoteOptions {
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const o = { ...REMOTE_DEFAULTS, ...defined } as ResolvedRemoteOptions;
  requireInteger('concurrency', o.concurrency, 1);
  requireInteger('retries', o.retries, 0);
  if (o.inputShape.channels !== 3) throw invalidArgument(`remote models take RGB images; inputShape has ${o.inputShape.channels} channels`);
  for (const [name, value] of [['requestsPerSecond', o.requestsPerSecond], ['timeoutMs', o.timeoutMs], ['maxResponseBytes', o.maxResponseBytes]] as const) {
    if (!(value > 0)) throw invalidArgument(`${name} must be > 0, got ${value}`);
  }
  for (const [name, value] of [['backoffMs', o.backoffMs], ['maxBackoffMs', o.maxBackoffMs], ['maxQueries', o.maxQueries], ['pricePerQuery', o.pricePerQuery], ['maxCost', o.maxCost]] as const) {
    if (!(value >= 0)) throw invalidArgument(`${name} must be ≥ 0, got ${value}`);
  }
  return o;
}

/** Read an API key from the environment; the key never appears in a message, nor in remote text shown (redact.ts). */
export function apiKeyFromEnv(variable: string, required: boolean): string | undefined {
  const key = process.env[variable];
  if (!key && required) throw invalidArgument(`no API key: set the environment variable ${variable}`);
  registerSecret(key);
  return key || undefined;
}
