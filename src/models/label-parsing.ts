/**
 * Class labels from text. Accepted: the ImageNet format (JSON list of {index, wnid, name, ...}), a JSON list
 * of strings, or plain text with one label per line (output index = line number). No file access (browser too).
 */
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

/** Generic labels when none are given. */
export function numberedLabels(count: number): ClassLabel[] {
  return Array.from({ length: count }, (_, index) => ({ index, name: `class ${index}`, aliases: [] }));
}
