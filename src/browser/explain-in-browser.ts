/**
 * explain() in a page: the very function Node runs (src/explain.ts, bundled with the browser's image and
 * kernel modules swapped in), with a preview watcher around the model and progress callbacks.
 */
import type { LedgerProgress } from '../core/ledger.js';
import { explain, type ExplainOptions, type Explanation } from '../explain/index.js';
import type { Classifier } from '../models/classifier.js';
import type { WebImageSource } from './classifier.js';
import { watchForPreview } from './preview.js';

export interface BrowserRunHooks {
  onProgress?: (p: LedgerProgress) => void;
  /** Called with the preview map (H×W) at most every `previewMs` (default 250 ms). */
  onPreview?: (map: Float32Array) => void;
  previewMs?: number;
}

export async function explainInBrowser(classifier: Classifier, photo: WebImageSource, options: ExplainOptions = {}, hooks: BrowserRunHooks = {}): Promise<Explanation> {
  const target = typeof options.target === 'number' ? options.target : undefined;
  const watcher = watchForPreview(classifier.model, () => target);
  const watched: Classifier = { ...classifier, model: watcher.model };
  let last = 0;
  const onProgress = (p: LedgerProgress) => {
    hooks.onProgress?.(p);
    const now = performance.now();
    if (hooks.onPreview && now - last >= (hooks.previewMs ?? 250)) {
      const map = watcher.map();
      if (map) {
        last = now;
        hooks.onPreview(map);
      }
    }
  };
  // explain() types its image as a path or Buffer (Node); in the page prepare() takes a Blob or an RGB crop.
  return explain(watched, photo as unknown as string, { ...options, onProgress });
}
