/**
 * Concurrency and rate limit for HTTP requests: at most `capacity` units in flight (a request holds one unit
 * per image it carries, so the cap counts queries, not requests), starts spaced ≥ 1/rps apart.
 */
import { LrsalError } from '../../core/errors.js';

/** Units held from the limiter; give back part early with release(n), the rest when done. */
export interface Permit {
  readonly units: number;
  release(units?: number): void;
}

export class RequestLimiter {
  private active = 0;
  private readonly waiting: Array<{ units: number; wake: (granted: number) => void }> = [];
  private nextStart = 0;

  constructor(
    readonly capacity: number,
    private readonly requestsPerSecond: number,
  ) {}

  /** Run `task` once a unit is free and the rate allows; the unit is held until it settles. */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const permit = await this.acquire(1, signal);
    try {
      await this.pace(signal);
      return await task();
    } finally {
      permit.release();
    }
  }

  /**
   * Wait until at least one unit is free, then take up to `units` of those free (first come, first served):
   * a request takes what it can rather than wait for room for all its images.
   */
  async acquire(units: number, signal?: AbortSignal): Promise<Permit> {
    const most = Math.max(1, Math.min(units, this.capacity));
    if (signal?.aborted) throw abortedError();
    let held: number;
    if (this.waiting.length === 0 && this.active < this.capacity) {
      held = Math.min(most, this.capacity - this.active);
      this.active += held;
    } else {
      held = await new Promise<number>((resolve, reject) => {
        const entry = {
          units: most,
          wake: (granted: number) => {
            signal?.removeEventListener('abort', onAbort);
            resolve(granted);
          },
        };
        const onAbort = () => {
          const i = this.waiting.indexOf(entry);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(abortedError());
        };
        this.waiting.push(entry);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
    const granted = held;
    return {
      units: granted,
      release: (count = held) => {
        const n = Math.min(count, held);
        held -= n;
        this.active -= n;
        this.drain();
      },
    };
  }

  /** Reserve the next start time (so concurrent callers queue up), then wait for it. */
  async pace(signal?: AbortSignal): Promise<void> {
    if (!Number.isFinite(this.requestsPerSecond)) return;
    const now = performance.now();
    const start = Math.max(now, this.nextStart);
    this.nextStart = start + 1000 / this.requestsPerSecond;
    if (start > now) await sleep(start - now, signal);
  }

  private drain(): void {
    while (this.waiting.length > 0 && this.active < this.capacity) {
      const next = this.waiting.shift()!;
      const granted = Math.min(next.units, this.capacity - this.active);
      this.active += granted;
      next.wake(granted);
    }
  }
}

export function abortedError(): LrsalError {
  return new LrsalError('ABORTED', 'remote query aborted');
}

/** setTimeout as a promise that rejects with ABORTED when `signal` fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortedError());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortedError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
