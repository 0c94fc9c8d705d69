/**
 * The models a server offers: the bundled SqueezeNet and every .onnx file in `--models DIR` (with its model card
 * `name.lrsal.json` when there is one). Clients pick a model by id; ids come from this list, never from a path.
 * Classifiers are loaded once, on first use, with one onnxruntime thread each (the jobs run side by side).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LrsalError } from '../../core/errors.js';
import { loadClassifier, type Classifier } from '../../models/classifier.js';
import { modelCardFor } from '../../models/config.js';

export interface ModelEntry {
  id: string;
  name: string;
  source: 'bundled' | 'directory';
  /** File name only (no folder: the server's paths are not the client's business). */
  file: string;
  /** True when a model card describes the preprocessing; else torchvision preprocessing is assumed. */
  card: boolean;
  preprocess?: unknown;
}

export class ModelCatalog {
  private readonly loaded = new Map<string, Promise<Classifier>>();

  private constructor(
    readonly entries: ModelEntry[],
    private readonly paths: Map<string, string | undefined>,
    private readonly warn: (message: string) => void,
  ) {}

  static async open(modelsDir: string | undefined, warn: (message: string) => void = () => {}): Promise<ModelCatalog> {
    const bundled = await modelCardFor(undefined);
    const entries: ModelEntry[] = [{ id: 'bundled', name: bundled.card.name ?? 'bundled model', source: 'bundled', file: basename(bundled.card.model), card: true, preprocess: bundled.card.preprocess }];
    const paths = new Map<string, string | undefined>([['bundled', undefined]]);
    if (modelsDir) {
      let names: string[];
      try {
        names = (await readdir(modelsDir)).filter((n) => n.toLowerCase().endsWith('.onnx')).sort();
      } catch {
        throw new LrsalError('FILE_NOT_FOUND', `models folder not found or not readable: ${modelsDir}`);
      }
      for (const file of names) {
        const id = file.replace(/\.onnx$/i, '').replace(/[^A-Za-z0-9._-]/g, '_');
        if (paths.has(id)) continue;
        const path = join(modelsDir, file);
        const { card, described } = await modelCardFor(path);
        entries.push({ id, name: card.name ?? id, source: 'directory', file, card: described, ...(described ? { preprocess: card.preprocess } : {}) });
        paths.set(id, path);
      }
    }
    return new ModelCatalog(entries, paths, warn);
  }

  has(id: string): boolean {
    return this.paths.has(id);
  }

  /** The loaded classifier for `id`; throws INVALID_ARGUMENT for an id not in the list. */
  classifier(id: string): Promise<Classifier> {
    if (!this.paths.has(id)) throw new LrsalError('INVALID_ARGUMENT', `unknown model "${id.slice(0, 80)}"; GET /v1/models lists the models (${[...this.paths.keys()].join(', ')})`);
    let pending = this.loaded.get(id);
    if (!pending) {
      const path = this.paths.get(id);
      pending = loadClassifier({ ...(path ? { model: path } : {}), threads: 1, warn: this.warn });
      pending.catch(() => this.loaded.delete(id));
      this.loaded.set(id, pending);
    }
    return pending;
  }

  async dispose(): Promise<void> {
    for (const pending of this.loaded.values()) await (await pending.catch(() => undefined))?.dispose();
    this.loaded.clear();
  }
}

function basename(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}
