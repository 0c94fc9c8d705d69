/**
 * The transfer attack over a folder: adversarial images made on a surrogate (attributions by backprop or
 * estimated from its queries), shown once to each victim. Used by `lrsal attack transfer` and scripts/attacks-study.ts.
 */
import { pixelMap, rgbToPixels, type PixelMap } from '../attacks/pixels.js';
import { momentumAttack, surrogateAttributor } from '../attacks/transfer.js';
import { loadDifferentiableModel, type DifferentiableModel } from '../models/differentiable-onnx.js';
import { invalidArgument } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { readManifest } from '../experiments/manifest.js';
import { greyLevel } from '../explain/index.js';
import { backpropSource } from '../gradients/backprop.js';
import { createGradientSource } from '../gradients/registry.js';
import { loadClassifier, type Classifier } from '../models/classifier.js';
import { PREPROCESSING_PRESETS, type PresetName } from '../models/preprocess.js';
import { packageRoot } from '../models/config.js';
import { topClassOracle } from '../attacks/label-oracles.js';
import { resolve } from 'node:path';

export const TRANSFER_GRADIENTS = ['backprop', 'lr', 'blockwise', 'focused'] as const;
export type TransferGradient = (typeof TRANSFER_GRADIENTS)[number];

/** `path` or `path:preset` (an ONNX file without a card, e.g. the MobileNets: `m.onnx:inception`). */
export interface ModelSpec {
  path: string;
  preset?: PresetName;
}

export function parseModelSpec(text: string, fallback?: PresetName): ModelSpec {
  const at = text.lastIndexOf(':');
  const tail = at > 0 ? text.slice(at + 1) : '';
  if (tail && tail in PREPROCESSING_PRESETS) return { path: text.slice(0, at), preset: tail as PresetName };
  if (!text.trim()) throw invalidArgument('empty model path');
  return { path: text, ...(fallback ? { preset: fallback } : {}) };
}

export function modelName(spec: ModelSpec): string {
  return (spec.path.split('/').pop() ?? spec.path).replace(/(\.lrsal)?\.(onnx|json)$/, '');
}

export async function loadSpec(spec: ModelSpec, warn?: (m: string) => void): Promise<Classifier> {
  const isCard = spec.path.endsWith('.json');
  return loadClassifier({
    model: spec.path,
    ...(spec.preset ? { preprocess: { preset: spec.preset } } : {}),
    ...(isCard ? {} : { labels: resolve(packageRoot(), 'models', 'imagenet-classes.json') }),
    threads: 1,
    ...(warn ? { warn } : {}),
  });
}

export interface TransferRow {
  surrogate: string;
  victim: string;
  method: string;
  gradient: string;
  successRate: number;
  images: number;
}

export interface TransferRunOptions {
  dir: string;
  surrogate: ModelSpec;
  victims: ModelSpec[];
  /** (method, gradient) pairs; 'mi-fgsm' is the plain reference (backprop of the log-probability). */
  rows: Array<{ method: string; gradient: TransferGradient }>;
  /** Surrogate queries per attribution for estimated gradients and RISE. */
  queries: number;
  limit?: number;
  seed: number;
  warn?: (m: string) => void;
  onImage?: (file: string) => void;
  /** Called after each attacked image with the rows so far. */
  onImageDone?: (rows: TransferRow[]) => void;
}

/**
 * Images the surrogate classifies correctly (manifest class) are attacked; each victim's success rate counts
 * the images that victim got right before the attack and gets wrong after it.
 */
export async function runTransfer(o: TransferRunOptions): Promise<TransferRow[]> {
  const surrogate = await loadSpec(o.surrogate, o.warn);
  const victims: Classifier[] = [];
  let differentiable: DifferentiableModel | undefined;
  let counts: Array<Array<{ fooled: number; images: number }>> = [];
  try {
    for (const v of o.victims) victims.push(await loadSpec(v, o.warn));
    const sp = surrogate.preprocessing;
    for (const [i, v] of victims.entries()) {
      if (v.preprocessing.height !== sp.height || v.preprocessing.width !== sp.width) {
        throw invalidArgument(`victim ${o.victims[i]!.path} takes ${v.preprocessing.width}×${v.preprocessing.height}; the surrogate takes ${sp.width}×${sp.height}`);
      }
    }
    if (o.rows.some((r) => r.gradient === 'backprop' && r.method !== 'rise')) differentiable = await loadDifferentiableModel(surrogate.card.model, { threads: 1 });
    const map = pixelMap(sp);
    const victimTop = victims.map((v) => topClassOracle(v.model, pixelMap(v.preprocessing)));
    const surrogateTop = topClassOracle(surrogate.model, map);
    const sigma = 0.05 * greyLevel(sp);
    counts = o.rows.map(() => victims.map(() => ({ fooled: 0, images: 0 })));
    for (const [n, entry] of (await readManifest(o.dir, o.limit)).entries()) {
      const { image } = await surrogate.prepare(entry.path);
      const x0 = rgbToPixels(image.data, image.height, image.width);
      if ((await surrogateTop(x0, 1))[0] !== entry.index) continue;
      const cleanRight = await Promise.all(victimTop.map(async (top) => (await top(x0, 1))[0] === entry.index));
      o.onImage?.(entry.file);
      for (const [r, row] of o.rows.entries()) {
        const attribute = attributorFor(row, surrogate, map, differentiable, entry.index, sigma, o.queries, new Rng(o.seed + n));
        const adversarial = await momentumAttack(x0, attribute);
        for (const [v, top] of victimTop.entries()) {
          if (!cleanRight[v]) continue;
          counts[r]![v]!.images++;
          if ((await top(adversarial, 1))[0] !== entry.index) counts[r]![v]!.fooled++;
        }
      }
      o.onImageDone?.(table());
    }
    return table();
  } finally {
    await differentiable?.dispose();
    for (const v of victims) await v.dispose();
    await surrogate.dispose();
  }

  function table(): TransferRow[] {
    return o.rows.flatMap((row, r) =>
      victims.map((_, v) => ({
        surrogate: modelName(o.surrogate),
        victim: modelName(o.victims[v]!),
        method: row.method,
        gradient: row.method === 'rise' ? 'queries' : row.gradient,
        successRate: counts[r]![v]!.images ? counts[r]![v]!.fooled / counts[r]![v]!.images : 0,
        images: counts[r]![v]!.images,
      })),
    );
  }
}

function attributorFor(
  row: { method: string; gradient: TransferGradient },
  surrogate: Classifier,
  map: PixelMap,
  differentiable: DifferentiableModel | undefined,
  truth: number,
  sigma: number,
  queries: number,
  rng: Rng,
) {
  const shape = surrogate.model.inputShape;
  const plain = row.method === 'mi-fgsm';
  const objective = plain ? ('logProbability' as const) : ('logit' as const);
  const source =
    row.gradient === 'backprop' && differentiable ? backpropSource(differentiable, truth, objective) : createGradientSource(row.gradient === 'backprop' ? 'lr' : row.gradient, shape, { sigma });
  return surrogateAttributor({
    model: surrogate.model,
    map,
    truth,
    method: plain ? 'vanilla' : row.method,
    source,
    objective,
    queries: row.gradient === 'backprop' && row.method !== 'rise' ? 0 : queries,
    rng,
  });
}
