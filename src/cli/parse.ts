/** Option parsers for commander that fail with a clear one-line error. */
import { InvalidArgumentError } from 'commander';

export function integer(name: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`${name} must be an integer, got "${value}"`);
    if (n < min) throw new InvalidArgumentError(`${name} must be ≥ ${min}, got ${n}`);
    if (n > max) throw new InvalidArgumentError(`${name} must be ≤ ${max}, got ${n}`);
    return n;
  };
}

export function positiveNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a number > 0, got "${value}"`);
    return n;
  };
}

export function fraction(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0 || n > 1) throw new InvalidArgumentError(`${name} must be in (0, 1], got "${value}"`);
    return n;
  };
}

export function choice<T extends string>(name: string, options: readonly T[]) {
  return (value: string): T => {
    if (!(options as readonly string[]).includes(value)) throw new InvalidArgumentError(`${name} must be one of ${options.join(', ')}, got "${value}"`);
    return value as T;
  };
}

export function triple(name: string) {
  return (value: string): [number, number, number] => {
    const parts = value.split(',').map(Number);
    if (parts.length !== 3 || parts.some((p) => !Number.isFinite(p))) throw new InvalidArgumentError(`${name} must be three numbers like 0.5,0.5,0.5, got "${value}"`);
    return parts as [number, number, number];
  };
}

/** Comma-separated list, each item parsed by `item`. */
export function list<T>(item: (v: string) => T) {
  return (value: string): T[] => value.split(',').map((v) => item(v.trim()));
}
