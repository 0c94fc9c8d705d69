/** Concurrency and rate limit for HTTP requests: at most N in flight, starts spaced ≥ 1/rps apart. */
import { LrsalError } from '../../core/errors.js';

export class RequestLimiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private nextStart = 0;

  constructor(
    private readonly concurrency: number,
    private readonly requestsPerSecond: number,
  ) {}

  /** Run `task` once a slot is free and the rate allows; the slot is held until it settles. */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      await this.pace(signal);
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }

  private async acquire(signal?: AbortSignal): Promise<void> {
    if (this.active < this.concurrency) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const wake = () => {
        signal?.removeEventListener('abort', onAbort);
        this.active++;
        resolve();
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(wake);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(abortedError());
      };
      this.waiting.push(wake);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Reserve the next start time (so concurrent callers queue up), then wait for it. */
  private async pace(signal?: AbortSignal): Promise<void> {
    if (!Number.isFinite(this.requestsPerSecond)) return;
    const now = performance.now();
    const start = Math.max(now, this.nextStart);
    this.nextStart = start + 1000 / this.requestsPerSecond;
    if (start > now) await sleep(start - now, signal);
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
