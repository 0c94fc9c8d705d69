/** Class label files parsed from text, with no I/O (shared by Node and the browser). */
import { LrsalError } from '../core/errors.js';

export interface ClassLabel {
  index: number;
  name: string;
  /** WordNet id (e.g. n02123045) when known. */
  wnid?: string;
  /** Other names the class answers to (WordNet lemmas, simple names). */
  aliases: string[];
}

export function parseLabels(text: string, source = 'labels'): ClassLabel[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (error) {
      throw new LrsalError('INVALID_ARGUMENT', `${source}: invalid JSON (${(error as Error).message})`);
    }
    if (!Array.isArray(parsed)) throw new LrsalError('INVALID_ARGUMENT', `${source}: expected a JSON list`);
    return parsed.map((entry, i) => labelFromJson(entry, i, source));
  }
  if (trimmed.startsWith('{')) return labelsFromIndexObject(trimmed, source);
  const lines = trimmed.split(/\r?\n/);
  return lines.map((line, index) => ({ index, name: line.trim(), aliases: [] }));
}

function labelFromJson(entry: unknown, i: number, source: string): ClassLabel {
  if (typeof entry === 'string') return { index: i, name: entry, aliases: [] };
  if (entry && typeof entry === 'object' && typeof (entry as { name?: unknown }).name === 'string') {
    const e = entry as { index?: unknown; name: string; wnid?: unknown; simple?: unknown; lemmas?: unknown };
    const index = typeof e.index === 'number' ? e.index : i;
    if (index !== i) throw new LrsalError('INVALID_ARGUMENT', `${source}: entry ${i} has index ${index}; entries must be in output order`);
    const aliases = new Set<string>();
    if (typeof e.simple === 'string') aliases.add(e.simple);
    if (Array.isArray(e.lemmas)) for (const l of e.lemmas) if (typeof l === 'string') aliases.add(l);
    aliases.delete(e.name);
    return { index, name: e.name, aliases: [...aliases], ...(typeof e.wnid === 'string' ? { wnid: e.wnid } : {}) };
  }
  throw new LrsalError('INVALID_ARGUMENT', `${source}: entry ${i} is neither a string nor an object with a name`);
}

/** {"0": ["n01440764", "tench"], "1": ...} or {"0": "tench", ...}: keys must be exactly 0 … n−1. */
function labelsFromIndexObject(text: string, source: string): ClassLabel[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new LrsalError('INVALID_ARGUMENT', `${source}: invalid JSON (${(error as Error).message})`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new LrsalError('INVALID_ARGUMENT', `${source}: expected a JSON object keyed by class index`);
  const entries = Object.entries(parsed as Record<string, unknown>);
  const labels: ClassLabel[] = new Array(entries.length);
  for (const [key, value] of entries) {
    const index = /^\d+$/.test(key) ? Number(key) : NaN;
    if (!(index < entries.length)) {
      throw new LrsalError('INVALID_ARGUMENT', `${source}: key "${key}" is not a class index 0…${entries.length - 1} (expected {"0": ["n01440764", "tench"], ...} or {"0": "tench", ...})`);
    }
    if (typeof value === 'string') labels[index] = { index, name: value, aliases: [] };
    else if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string')) {
      const [wnid, name] = value as [string, string];
      labels[index] = { index, name, aliases: [], ...(/^n\d{8}$/.test(wnid) ? { wnid } : {}) };
    } else {
      throw new LrsalError('INVALID_ARGUMENT', `${source}: class ${key} is neither a name nor a [wnid, name] pair`);
    }
  }
  return labels;
}

/** Generic labels when none are given. */
export function numberedLabels(count: number): ClassLabel[] {
  return Array.from({ length: count }, (_, index) => ({ index, name: `class ${index}`, aliases: [] }));
}
