/**
 * Which class a map explains: the model's top-1 by default, or a class given by index, WordNet id or name.
 */
import { LrsalError } from '../core/errors.js';
import type { ClassLabel } from '../models/labels.js';

export interface ResolvedTarget {
  index: number;
  label: string;
}

export function resolveTarget(spec: string | number | undefined, labels: readonly ClassLabel[], topIndex: number): ResolvedTarget {
  const at = (index: number): ResolvedTarget => ({ index, label: labels[index]?.name ?? `class ${index}` });
  if (spec === undefined) return at(topIndex);
  const text = String(spec).trim();
  if (text === '') throw new LrsalError('UNKNOWN_TARGET', 'empty target: give a class index, WordNet id or name, or leave the target out for the top-1 class');
  if (/^\d+$/.test(text)) {
    const index = Number(text);
    if (index >= labels.length) throw new LrsalError('UNKNOWN_TARGET', `target ${index} is out of range: the model has ${labels.length} classes (0..${labels.length - 1})`);
    return at(index);
  }
  if (/^n\d{8}$/i.test(text)) {
    const found = labels.find((l) => l.wnid?.toLowerCase() === text.toLowerCase());
    if (!found) throw new LrsalError('UNKNOWN_TARGET', `no class has WordNet id ${text}`);
    return at(found.index);
  }
  const key = normalise(text);
  const byName = labels.filter((l) => normalise(l.name) === key);
  const matches = byName.length > 0 ? byName : labels.filter((l) => l.aliases.some((a) => normalise(a) === key));
  if (matches.length === 1) return at(matches[0]!.index);
  if (matches.length > 1) {
    const list = matches.map((m) => `${m.index}${m.wnid ? ` (${m.wnid})` : ''}`).join(', ');
    throw new LrsalError('UNKNOWN_TARGET', `target "${text}" is ambiguous: classes ${list}; give the index or WordNet id`);
  }
  throw new LrsalError('UNKNOWN_TARGET', `unknown target "${text}": no class has that name, alias, index or WordNet id`);
}

function normalise(s: string): string {
  return s.toLowerCase().replace(/[_\s]+/g, ' ').trim();
}
