/**
 * The shared engine behind every remote adapter: answer a list of PNG images through (1) the on-disk cache,
 * (2) the budget, reserved for the misses before anything is sent, (3) requests of up to N images, run under
 * the concurrency/rate limit with retries. Each answer is cached the moment its request returns, so an
 * interrupted call keeps everything it paid for.
 */
import { LrsalError } from '../../core/errors.js';
import { RemoteBudget } from './budget.js';
import { AnswerCache } from './cache.js';
import { RequestLimiter } from './limiter.js';
import type { ResolvedRemoteOptions } from './options.js';
import { withRetries } from './retry.js';
import { inputsToPngs } from './png.js';
import type { LabelAnswer, RemoteLabelModel, RemoteStats } from './types.js';

/** How one adapter talks to its endpoint. */
export interface RemoteProtocol<A> {
  /** Everything but the image that decides the answer (endpoint, model, prompt, parameters): part of the cache key. */
  identity: string;
  /** Names the request in errors, e.g. "POST http://host/v1/images:annotate". */
  what: string;
  /** Most images in one HTTP request. */
  imagesPerRequest: number;
  /** One HTTP attempt for `images`; one answer per image, in order. Throws AttemptFailure on failure. */
  send(images: Buffer[], signal: AbortSignal): Promise<A[]>;
}

export class RemoteQueries {
  private readonly budget: RemoteBudget;
  private readonly limiter: RequestLimiter;
  private readonly cache: AnswerCache | undefined;
  private counts = { sent: 0, cacheHits: 0, retries: 0 };

  constructor(private readonly options: ResolvedRemoteOptions) {
    this.budget = new RemoteBudget(options.maxQueries, options.pricePerQuery, options.maxCost);
    this.limiter = new RequestLimiter(options.concurrency, options.requestsPerSecond);
    this.cache = options.cacheDir === false ? undefined : new AnswerCache(options.cacheDir);
  }

  stats(): RemoteStats {
    return { ...this.counts, cost: this.budget.cost };
  }

  estimateCost(queries: number): number {
    return this.budget.estimateCost(queries);
  }

  async query<A>(images: Buffer[], protocol: RemoteProtocol<A>, signal?: AbortSignal): Promise<A[]> {
    const answers: A[] = new Array<A>(images.length);
    // Identical images in one call are sent once.
    const byKey = new Map<string, number[]>();
    images.forEach((image, i) => {
      const key = AnswerCache.key(protocol.identity, image);
      byKey.set(key, [...(byKey.get(key) ?? []), i]);
    });
    const missing: Array<{ key: string; indices: number[] }> = [];
    for (const [key, indices] of byKey) {
      const cached = this.cache ? await this.cache.get<A>(key) : undefined;
      if (cached !== undefined) {
        for (const i of indices) answers[i] = cached;
        this.counts.cacheHits += indices.length;
      } else {
        missing.push({ key, indices });
        this.counts.cacheHits += indices.length - 1;
      }
    }
    if (missing.length === 0) return answers;
    if (signal?.aborted) throw new LrsalError('ABORTED', 'remote query aborted');
    this.budget.reserve(missing.length); // throws before anything is sent

    const chunks: Array<typeof missing> = [];
    for (let i = 0; i < missing.length; i += protocol.imagesPerRequest) chunks.push(missing.slice(i, i + protocol.imagesPerRequest));
    let next = 0;
    let unsent = missing.length;
    let failure: unknown;
    const worker = async () => {
      while (failure === undefined && next < chunks.length) {
        const chunk = chunks[next++]!;
        try {
          const result = await this.limiter.run(() => {
            this.counts.sent += chunk.length;
            unsent -= chunk.length;
            const imgs = chunk.map((m) => images[m.indices[0]!]!);
            return withRetries(protocol.what, this.options, (s) => protocol.send(imgs, s), { ...(signal ? { signal } : {}), onRetry: () => this.counts.retries++ });
          }, signal);
          if (result.length !== chunk.length) {
            throw new LrsalError('REMOTE_ERROR', `${protocol.what}: sent ${chunk.length} images, got ${result.length} answers`);
          }
          for (let j = 0; j < chunk.length; j++) {
            for (const i of chunk[j]!.indices) answers[i] = result[j]!;
            // Best effort: a failed cache write must not lose an answer that was paid for.
            await this.cache?.put(chunk[j]!.key, result[j]).catch(() => undefined);
          }
        } catch (error) {
          failure ??= error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, chunks.length) }, worker));
    this.budget.release(unsent); // reserved but never sent (a request failed or the call was aborted first)
    if (failure !== undefined) throw failure;
    return answers;
  }
}

/** A label API over `queries` with `protocol`: the same RemoteLabelModel for every label adapter. */
export function remoteLabelModel(
  options: ResolvedRemoteOptions,
  queries: RemoteQueries,
  protocol: RemoteProtocol<LabelAnswer[]>,
  endpoint: string,
): RemoteLabelModel {
  return {
    kind: 'labels',
    inputShape: options.inputShape,
    endpoint,
    async labels(inputs, count, signal) {
      const pngs = await inputsToPngs(inputs, count, options.inputShape);
      const answers = await queries.query(pngs, protocol, signal);
      // Copies: callers may edit their labels without touching answers shared through the cache.
      return answers.map((a) => a.map((l) => ({ ...l })));
    },
    stats: () => queries.stats(),
    estimateCost: (n) => queries.estimateCost(n),
    async dispose() {},
  };
}
