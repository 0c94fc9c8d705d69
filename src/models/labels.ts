/**
 * Class labels. Accepted files: the ImageNet format (JSON list of {index, wnid, name, ...}), a JSON list of
 * strings, a JSON object keyed by output index (Keras' imagenet_class_index.json: {"0": ["n01440764", "tench"]},
 * or {"0": "tench"}), or plain text with one label per line (output index = line number).
 */
import { readFile } from 'node:fs/promises';
import { LrsalError } from '../core/errors.js';
import { parseLabels, type ClassLabel } from './label-parsing.js';

export { numberedLabels, parseLabels, type ClassLabel } from './label-parsing.js';

export async function loadLabels(path: string): Promise<ClassLabel[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new LrsalError('FILE_NOT_FOUND', `labels file not found or not readable: ${path}`);
  }
  return parseLabels(text, path);
}

