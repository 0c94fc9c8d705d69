/**
 * Query accounting. Every model query a run makes goes through one ledger, which enforces the budget
 * before the query is sent (never after: queries can cost money) and tells listeners about progress.
 */
import { BudgetExceededError, LrsalError, requireInteger } from './errors.js';
import type { BatchFunction } from './batch-function.js';

export interface LedgerProgress {
  spent: number;
  budget: number;
}

export class QueryLedger {
  readonly budget: number;
  private spentQueries = 0;
  private stopReason: string | undefined;
  private readonly listeners: Array<(p: LedgerProgress) => void> = [];

  constructor(budget: number) {
    this.budget = requireInteger('query budget', budget, 1);
  }

  get spent(): number {
    return this.spentQueries;
  }

  get remaining(): number {
    return this.budget - this.spentQueries;
  }

  /**
   * Stop gracefully: queries already sent finish (and remote answers get cached), but no new query starts;
   * the next charge() throws ABORTED. Unlike an AbortSignal passed to the model, nothing paid for is thrown away.
   */
  requestStop(reason = 'interrupted'): void {
    this.stopReason ??= reason;
  }

  /** Stop when `signal` aborts (e.g. Ctrl-C in the CLI). */
  stopOn(signal: AbortSignal | undefined): void {
    if (!signal) return;
    if (signal.aborted) this.requestStop();
    else signal.addEventListener('abort', () => this.requestStop(), { once: true });
  }

  /** Reserve `count` queries; throws BudgetExceededError (spending nothing) when they do not fit. */
  charge(count: number): void {
    if (this.stopReason) {
      throw new LrsalError('ABORTED', `${this.stopReason} after ${this.spentQueries} queries; answers already received are kept (remote answers in the cache)`);
    }
    if (this.spentQueries + count > this.budget) throw new BudgetExceededError(this.budget, this.spentQueries, count);
    this.spentQueries += count;
  }

  /** Give back queries that were reserved but never sent (e.g. the model call failed before sending). */
  refund(count: number): void {
    this.spentQueries = Math.max(0, this.spentQueries - count);
  }

  onProgress(listener: (p: LedgerProgress) => void): void {
    this.listeners.push(listener);
  }

  /** Called after queries were answered. */
  notify(): void {
    const p = { spent: this.spentQueries, budget: this.budget };
    for (const l of this.listeners) l(p);
  }
}

/**
 * f, with every evaluation charged to `ledger` and every value checked to be finite: whatever the adapter
 * (ONNX, remote, a user function), a NaN/∞ answer stops the run with MODEL_OUTPUT naming the query (its
 * 1-based number within the run) instead of silently poisoning every sum it enters. A wrong answer count too.
 */
export function metered(f: BatchFunction, ledger: QueryLedger): BatchFunction {
  return {
    shape: f.shape,
    async evaluate(inputs, count, signal) {
      ledger.charge(count);
      const first = ledger.spent - count + 1;
      const values = await f.evaluate(inputs, count, signal);
      ledger.notify();
      if (!values || values.length !== count) {
        throw new LrsalError('MODEL_OUTPUT', `the model function returned ${values?.length ?? 'no'} values for queries ${first}–${first + count - 1} (${count} asked)`);
      }
      for (let i = 0; i < count; i++) {
        if (!Number.isFinite(values[i]!)) {
          throw new LrsalError('MODEL_OUTPUT', `the model function returned a non-finite value (${values[i]}) for query ${first + i} of this run; a map cannot be built from it`);
        }
      }
      return values;
    },
  };
}

/** Throws MODEL_OUTPUT naming the first NaN/∞ value, so a broken model never silently poisons a map. */
export function requireFinite(values: ArrayLike<number>, what: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) {
      throw new LrsalError('MODEL_OUTPUT', `${what} returned a non-finite value (${values[i]}) at position ${i}`);
    }
  }
}

/** Split `total` into `parts` integer shares differing by at most one, larger shares first. */
export function splitBudget(total: number, parts: number): number[] {
  requireInteger('parts', parts, 1);
  const base = Math.floor(total / parts);
  const extra = total - base * parts;
  return Array.from({ length: parts }, (_, i) => base + (i < extra ? 1 : 0));
}
