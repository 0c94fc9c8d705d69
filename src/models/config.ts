/**
 * Model cards: a small JSON file beside an .onnx that says how to feed it (preprocessing), what to read
 * (output, score kind) and what the classes are called. `--model x.onnx` picks up `x.lrsal.json` if present.
 * The bundled default (SqueezeNet 1.1) is described by models/squeezenet1.1.lrsal.json.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LrsalError } from '../core/errors.js';
import { modelCardSchema, type ModelCard } from './model-card.js';

export { modelCardSchema, preprocessSpecSchema, resolvePreprocessing, type ModelCard, type PreprocessSpec } from './model-card.js';

/** Repository root (two levels above dist/src/models or src/models). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(resolve(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package root not found');
    dir = parent;
  }
  return dir;
}

export function defaultModelCardPath(): string {
  return resolve(packageRoot(), 'models', 'squeezenet1.1.lrsal.json');
}

/** Read a model card; relative paths inside it are resolved against its folder. */
export async function readModelCard(path: string): Promise<ModelCard> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new LrsalError('FILE_NOT_FOUND', `model card not found or not readable: ${path}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new LrsalError('INVALID_ARGUMENT', `model card ${path} is not valid JSON (${(error as Error).message})`);
  }
  const parsed = modelCardSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new LrsalError('INVALID_ARGUMENT', `model card ${path}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const base = dirname(path);
  const card = parsed.data;
  return { ...card, model: resolve(base, card.model), ...(card.labels ? { labels: resolve(base, card.labels) } : {}) };
}

/** The card for `--model PATH`: a .json card itself, the card beside an .onnx, or a bare card for the .onnx. */
export async function modelCardFor(path: string | undefined): Promise<{ card: ModelCard; described: boolean }> {
  if (!path) return { card: await readModelCard(defaultModelCardPath()), described: true };
  if (path.endsWith('.json')) return { card: await readModelCard(path), described: true };
  const sibling = path.replace(/\.onnx$/i, '') + '.lrsal.json';
  if (existsSync(sibling)) return { card: { ...(await readModelCard(sibling)), model: resolve(path) }, described: true };
  return { card: { model: resolve(path), preprocess: {} }, described: false };
}
