/** Models in a batch are named by content: the sha256 of the ONNX file, so any worker's copy will do. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LrsalError } from '../core/errors.js';
import { loadClassifier, type Classifier } from '../models/classifier.js';
import { modelCardFor } from '../models/config.js';
import type { PresetName } from '../models/preprocess.js';
import type { ModelSpec } from './tasks.js';

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The ONNX file a model option names (a card's model, or the bundled default). */
export async function onnxPathOf(model: string | undefined): Promise<string> {
  return (await modelCardFor(model)).card.model;
}

/**
 * Loads classifiers once per spec, one onnxruntime thread each (a pool of single-threaded workers fills
 * the cores without oversubscribing them). `search` folders are scanned for a file with the wanted hash
 * when the spec's path is missing or holds another file.
 */
export function classifierCache(search: string[] = []): { resolve(spec: ModelSpec): Promise<Classifier>; dispose(): Promise<void> } {
  const loaded = new Map<string, Promise<Classifier>>();
  const byHash = new Map<string, string>();
  /** The model option to load: the spec's own (a card keeps its settings), or a file found by hash. */
  async function locate(spec: ModelSpec): Promise<{ model?: string } | undefined> {
    try {
      const path = await onnxPathOf(spec.model);
      if ((await sha256File(path)) === spec.sha256) return spec.model ? { model: spec.model } : {};
    } catch {
      // Not here: look in the search folders.
    }
    if (byHash.has(spec.sha256)) return { model: byHash.get(spec.sha256)! };
    for (const dir of search) {
      for (const file of await readdir(dir).catch(() => [] as string[])) {
        if (!file.endsWith('.onnx')) continue;
        const path = join(dir, file);
        const hash = await sha256File(path);
        byHash.set(hash, path);
        if (hash === spec.sha256) return { model: path };
      }
    }
    return undefined;
  }
  return {
    resolve(spec) {
      const key = JSON.stringify(spec);
      let classifier = loaded.get(key);
      if (!classifier) {
        classifier = (async () => {
          const found = await locate(spec);
          if (!found) throw new LrsalError('FILE_NOT_FOUND', `no model with sha256 ${spec.sha256.slice(0, 12)}… here (${spec.model ?? 'default model'}; searched ${search.join(', ') || 'nothing else'})`);
          return loadClassifier({
            ...found,
            ...(spec.labels ? { labels: spec.labels } : {}),
            preprocess: {
              ...(spec.preprocess ? { preset: spec.preprocess as PresetName } : {}),
              ...(spec.mean ? { mean: spec.mean } : {}),
              ...(spec.std ? { std: spec.std } : {}),
              ...(spec.scale ? { scale: spec.scale } : {}),
              ...(spec.channelOrder ? { channelOrder: spec.channelOrder } : {}),
              ...(spec.resize ? { resizeShorter: spec.resize } : {}),
            },
            ...(spec.output ? { outputName: spec.output } : {}),
            ...(spec.scoreKind ? { scoreKind: spec.scoreKind } : {}),
            threads: 1,
          });
        })();
        classifier.catch(() => loaded.delete(key));
        loaded.set(key, classifier);
      }
      return classifier;
    },
    async dispose() {
      for (const c of loaded.values()) await c.then((x) => x.dispose()).catch(() => undefined);
      loaded.clear();
    },
  };
}
