/**
 * The shared engine behind every remote adapter: answer a list of PNG images through (1) the on-disk cache
 * (entries validated; a bad one is reported and re-bought), (2) the budget, reserved for the misses before
 * anything is sent, (3) a claim per request in the cache folder, so concurrent runs sharing it buy each query
 * once, (4) requests of a few images, run under the concurrency/rate limit with retries. The concurrency counts
 * images in flight, whatever the caller's batch size; each answer is cached the moment its request returns, so
 * an interrupted call keeps everything it paid for and a killed one loses at most `concurrency` answers.
 */
import type { z } from 'zod';
import { RemoteBudget } from './budget.js';
import { AnswerCache } from './cache.js';
import { RequestClaims } from './claims.js';
import { abortedError, RequestLimiter, sleep } from './limiter.js';
import type { ResolvedRemoteOptions } from './options.js';
import { inputsToPngs } from './png.js';
import { AttemptFailure, withRetries } from './retry.js';
import { labelAnswersSchema, type LabelAnswer, type RemoteLabelModel, type RemoteStats } from './types.js';

/** How one adapter talks to its endpoint. */
export interface RemoteProtocol<A> {
  /** Everything but the image that decides the answer (endpoint, model, prompt, parameters): part of the cache key. */
  identity: string;
  /** Names the request in errors, e.g. "POST http://host/v1/images:annotate". */
  what: string;
  /** Most images in one HTTP request (also capped by the concurrency when it counts images). */
  imagesPerRequest: number;
  /** Shape of one answer: cache entries that do not match are bad entries (re-bought). */
  answerSchema: z.ZodType<A>;
  /** What --concurrency counts: 'items' (default; images) or 'requests' (embeddings: many cheap texts per request). */
  inFlight?: 'items' | 'requests';
  /** One HTTP attempt for `images`; one answer per image, in order. Throws AttemptFailure on failure. */
  send(images: Buffer[], signal: AbortSignal): Promise<A[]>;
}

/** How often a run waiting for another run's claimed request looks for its answer. */
const CLAIM_POLL_MS = 50;

interface Pending {
  key: string;
  /** Positions in the caller's list with this image. */
  indices: number[];
}

export class RemoteQueries {
  private readonly budget: RemoteBudget;
  private readonly limiter: RequestLimiter;
  private readonly cache: AnswerCache | undefined;
  private readonly claims: RequestClaims | undefined;
  private counts = { sent: 0, cacheHits: 0, retries: 0, cacheErrors: 0, cacheWriteErrors: 0 };

  constructor(private readonly options: ResolvedRemoteOptions) {
    this.budget = new RemoteBudget(options.maxQueries, options.pricePerQuery, options.maxCost);
    this.limiter = new RequestLimiter(options.concurrency, options.requestsPerSecond);
    this.cache = options.cacheDir === false ? undefined : new AnswerCache(options.cacheDir);
    // A claim outlives every attempt of its request, backoffs included; older, its owner is hung.
    const staleMs = options.timeoutMs * (options.retries + 2) + Math.min(options.maxBackoffMs, 60_000) * options.retries;
    this.claims = this.cache ? new RequestClaims(this.cache, staleMs) : undefined;
  }

  get concurrency(): number {
    return this.options.concurrency;
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
    const fill = (item: Pending, answer: A) => {
      for (const i of item.indices) answers[i] = answer;
    };
    const queue: Pending[] = [];
    for (const [key, indices] of byKey) {
      const item = { key, indices };
      const cached = await this.readCache(key, protocol.answerSchema);
      if (cached !== undefined) {
        fill(item, cached);
        this.counts.cacheHits += indices.length;
      } else {
        queue.push(item);
        this.counts.cacheHits += indices.length - 1;
      }
    }
    if (queue.length === 0) return answers;
    if (signal?.aborted) throw abortedError();
    this.budget.reserve(queue.length); // throws before anything is sent
    let reserved = queue.length; // reserved and not yet sent: given back at the end

    const countsItems = (protocol.inFlight ?? 'items') === 'items';
    const perRequest = Math.max(1, Math.min(protocol.imagesPerRequest, countsItems ? this.options.concurrency : Infinity));
    let failure: unknown;
    const running = new Set<Promise<void>>();
    const track = (task: Promise<void>) => {
      running.add(task);
      void task.finally(() => running.delete(task));
    };
    const answeredElsewhere = (item: Pending, answer: A) => {
      fill(item, answer);
      this.counts.cacheHits += item.indices.length;
      reserved--;
      this.budget.release(1);
    };

    // Another run holds this request: wait for its answer, or take the request back if it gives up.
    const waitForClaim = async (item: Pending): Promise<void> => {
      while (failure === undefined) {
        await sleep(CLAIM_POLL_MS, signal);
        const cached = await this.readCache(item.key, protocol.answerSchema, false);
        if (cached !== undefined) return answeredElsewhere(item, cached);
        if (await this.claims!.isFree(item.key)) return void queue.push(item);
      }
    };

    // One request: hold a unit per image (or one per request), send with retries, cache each answer at once.
    const send = async (chunk: Pending[], release: () => void): Promise<void> => {
      try {
        await this.limiter.pace(signal);
        this.counts.sent += chunk.length;
        reserved -= chunk.length;
        const imgs = chunk.map((m) => images[m.indices[0]!]!);
        const result = await withRetries(
          protocol.what,
          this.options,
          async (s) => {
            const got = await protocol.send(imgs, s);
            if (got.length !== chunk.length) throw new AttemptFailure('malformed', `sent ${chunk.length} images, got ${got.length} answers`);
            return got;
          },
          { ...(signal ? { signal } : {}), onRetry: () => this.counts.retries++ },
        );
        for (let j = 0; j < chunk.length; j++) {
          fill(chunk[j]!, result[j]!);
          await this.writeCache(chunk[j]!.key, result[j]);
        }
      } catch (error) {
        failure ??= error;
      } finally {
        release();
        await Promise.all(chunk.map((m) => this.claims?.release(m.key)));
      }
    };

    try {
      while (failure === undefined) {
        if (queue.length === 0) {
          if (running.size === 0) break;
          await Promise.race(running); // a waiter may hand a request back
          continue;
        }
        const permit = await this.limiter.acquire(countsItems ? Math.min(perRequest, queue.length) : 1, signal);
        const chunk: Pending[] = [];
        while (chunk.length < (countsItems ? permit.units : perRequest) && queue.length > 0 && failure === undefined) {
          const item = queue.shift()!;
          const claim = this.claims ? await this.claims.claim(item.key) : 'ours';
          if (claim === 'busy') {
            track(waitForClaim(item).catch((error: unknown) => void (failure ??= error)));
            continue;
          }
          // Answered between our look-up and our claim (by a run that has just finished)?
          const cached = this.claims ? await this.readCache(item.key, protocol.answerSchema, false) : undefined;
          if (cached !== undefined) {
            answeredElsewhere(item, cached);
            await this.claims!.release(item.key);
            continue;
          }
          chunk.push(item);
        }
        if (chunk.length === 0) {
          permit.release();
          continue;
        }
        if (countsItems) permit.release(permit.units - chunk.length);
        track(send(chunk, () => permit.release()));
      }
    } catch (error) {
      failure ??= error; // aborted while waiting for a free slot
    }
    await Promise.all(running);
    this.budget.release(reserved); // reserved but never sent (a request failed or the call was aborted first)
    if (failure !== undefined) throw failure;
    if (signal?.aborted) throw abortedError();
    return answers;
  }

  /** A valid cached answer, or undefined; a bad entry is counted and reported (once per look-up that finds it). */
  private async readCache<A>(key: string, schema: z.ZodType<A>, report = true): Promise<A | undefined> {
    if (!this.cache) return undefined;
    const read = await this.cache.read(key, schema);
    if (read.kind === 'hit') return read.answer;
    if (read.kind === 'bad' && report) {
      this.counts.cacheErrors++;
      this.options.onWarning(`bad answer-cache entry ${read.path}: ${read.reason}; asking the model again and overwriting it`);
    }
    return undefined;
  }

  /** Cache one answer; a failure keeps the answer for this run, is counted, and is reported loudly the first time. */
  private async writeCache(key: string, answer: unknown): Promise<void> {
    if (!this.cache) return;
    try {
      await this.cache.put(key, answer);
    } catch (error) {
      if (this.counts.cacheWriteErrors++ === 0) {
        this.options.onWarning(
          `cannot write the answer cache in ${this.cache.dir} (${(error as Error).message}): answers bought from now on are not kept, so a rerun pays for them again`,
        );
      }
    }
  }
}

/** A label API over `queries` with `protocol`: the same RemoteLabelModel for every label adapter. */
export function remoteLabelModel(
  options: ResolvedRemoteOptions,
  queries: RemoteQueries,
  protocol: Omit<RemoteProtocol<LabelAnswer[]>, 'answerSchema'>,
  endpoint: string,
): RemoteLabelModel {
  const withSchema: RemoteProtocol<LabelAnswer[]> = { ...protocol, answerSchema: labelAnswersSchema };
  return {
    kind: 'labels',
    inputShape: options.inputShape,
    endpoint,
    concurrency: options.concurrency,
    async labels(inputs, count, signal) {
      const pngs = await inputsToPngs(inputs, count, options.inputShape);
      const answers = await queries.query(pngs, withSchema, signal);
      // Copies: callers may edit their labels without touching answers shared through the cache.
      return answers.map((a) => a.map((l) => ({ ...l })));
    },
    stats: () => queries.stats(),
    estimateCost: (n) => queries.estimateCost(n),
    async dispose() {},
  };
}
