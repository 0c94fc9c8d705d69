/**
 * Typed errors. Every failure a user can cause carries a stable `code` and a one-line message that names
 * the problem; the CLI prints `message` alone (no stack) and exits non-zero, the server maps codes to 4xx.
 */
export type LrsalErrorCode =
  | 'INVALID_ARGUMENT'
  | 'IMAGE_UNREADABLE'
  | 'IMAGE_TOO_LARGE'
  | 'FILE_NOT_FOUND'
  | 'MODEL_INVALID'
  | 'MODEL_OUTPUT'
  | 'MODEL_SHAPE'
  | 'UNKNOWN_TARGET'
  | 'BUDGET_EXCEEDED'
  | 'REMOTE_ERROR'
  | 'TIMEOUT'
  | 'RATE_LIMITED'
  | 'ABORTED'
  | 'UNSUPPORTED'
  /** An output file or folder cannot be written (checked before the first query). */
  | 'OUTPUT_UNWRITABLE'
  /** The run finished but its result says nothing (all-zero or constant map); an error only when asked (--strict). */
  | 'DEGENERATE_RESULT'
  /** A sharded run is missing partial sums it needs (src/batch). */

  | 'SHARD_INCOMPLETE';

export class LrsalError extends Error {
  readonly code: LrsalErrorCode;

  constructor(code: LrsalErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LrsalError';
    this.code = code;
  }
}

/** A budget ran out. `spent` queries were paid for and their results are kept by the caller. */
export class BudgetExceededError extends LrsalError {
  readonly spent: number;
  readonly budget: number;

  constructor(budget: number, spent: number, requested: number) {
    super('BUDGET_EXCEEDED', `query budget exceeded: ${spent} of ${budget} queries spent, ${requested} more requested`);
    this.spent = spent;
    this.budget = budget;
  }
}

export function invalidArgument(message: string): LrsalError {
  return new LrsalError('INVALID_ARGUMENT', message);
}

/** Throws INVALID_ARGUMENT unless `value` is an integer ≥ `min`. */
export function requireInteger(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw invalidArgument(`${name} must be an integer ≥ ${min}, got ${value}`);
  }
  return value;
}

/** Throws INVALID_ARGUMENT unless `value` is a finite number > 0. */
export function requirePositive(name: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0)) throw invalidArgument(`${name} must be a number > 0, got ${value}`);
  return value;
}

/** The message to show a user for any thrown value. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** ABORTED when `signal` has fired: adapters check it before sending anything. */
export function throwIfAborted(signal: AbortSignal | undefined, what = 'query'): void {
  if (signal?.aborted) throw new LrsalError('ABORTED', `${what} aborted`);
}

/** INVALID_ARGUMENT naming the first non-finite input value: a model must never be asked about garbage. */
export function requireFiniteInputs(inputs: ArrayLike<number>, perInput: number): void {
  for (let i = 0; i < inputs.length; i++) {
    if (!Number.isFinite(inputs[i]!)) {
      throw new LrsalError('INVALID_ARGUMENT', `input ${Math.floor(i / perInput)} has a non-finite value (${inputs[i]}) at position ${i % perInput}; nothing was sent to the model`);
    }
  }
}
