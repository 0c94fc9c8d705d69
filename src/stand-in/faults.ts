/**
 * Test hooks of the stand-in server: misbehaviours a real remote API shows, injected on purpose so clients
 * can be tested over real sockets. Counters are consumed one per HTTP request, in the order listed.
 */
export interface StandInFaults {
  /** Delay every one of the next `delayed` requests (default: all) by this many ms before answering. */
  delayMs?: number;
  delayed?: number;
  /** Answer the next N requests with 429 Too Many Requests and a Retry-After header. */
  rateLimited?: number;
  /** Retry-After of those 429s, in seconds (default 1). */
  retryAfterSeconds?: number;
  /** Answer the next N requests with 500 Internal Server Error. */
  serverErrors?: number;
  /** After this many successful answers, answer every request with 500 (a permanent outage). */
  failAfter?: number;
  /** Answer the next N requests with a truncated, non-JSON body (still labelled application/json). */
  malformed?: number;
  /** Answer the next N requests naming no class the model knows ("no known class" / an unknown label). */
  unknownClass?: number;
}

export type FaultAction =
  | { kind: 'rateLimited'; retryAfterSeconds: number }
  | { kind: 'serverError' }
  | { kind: 'malformed' }
  | { kind: 'unknownClass' }
  | { kind: 'none' };

/** Mutable fault state: `next()` decides what happens to one request. */
export class FaultPlan {
  private f: StandInFaults;
  private answered = 0;

  constructor(faults: StandInFaults = {}) {
    this.f = { ...faults };
  }

  set(faults: StandInFaults): void {
    this.f = { ...faults };
    this.answered = 0;
  }

  /** Delay for this request (consumes one `delayed`). */
  delay(): number {
    const { delayMs, delayed } = this.f;
    if (!delayMs) return 0;
    if (delayed === undefined) return delayMs;
    if (delayed <= 0) return 0;
    this.f.delayed = delayed - 1;
    return delayMs;
  }

  next(): FaultAction {
    if (this.take('rateLimited')) return { kind: 'rateLimited', retryAfterSeconds: this.f.retryAfterSeconds ?? 1 };
    if (this.take('serverErrors')) return { kind: 'serverError' };
    if (this.f.failAfter !== undefined && this.answered >= this.f.failAfter) return { kind: 'serverError' };
    if (this.take('malformed')) return { kind: 'malformed' };
    this.answered++;
    if (this.take('unknownClass')) return { kind: 'unknownClass' };
    return { kind: 'none' };
  }

  private take(name: 'rateLimited' | 'serverErrors' | 'malformed' | 'unknownClass'): boolean {
    const n = this.f[name] ?? 0;
    if (n <= 0) return false;
    this.f[name] = n - 1;
    return true;
  }
}
