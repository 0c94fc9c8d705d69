/**
 * The part every kind of black box shares once f, x and a budget exist: build the method (a name or an
 * instance, optionally inside a noise tunnel, with its IG baseline or RISE fill in input space), spend the
 * budget on it, and reduce the attribution to the H×W map.
 */
import type { BatchFunction } from '../core/batch-function.js';
import { invalidArgument } from '../core/errors.js';
import { pick } from '../core/options.js';
import { Rng } from '../core/rng.js';
import type { Shape } from '../core/tensor.js';
import type { ChunkLedger } from '../gradients/chunks.js';
import type { GradientSource } from '../gradients/gradient-source.js';
import type { ChannelCovariance } from '../gradients/standard-error.js';
import { blurImage, loadImage, type RgbImage } from '../io/image.js';
import type { AttributionMethod } from '../methods/attribution.js';
import { reduceChannels, type ChannelReduction } from '../methods/channel-reduction.js';
import { noiseTunnel } from '../methods/noise-tunnel.js';
import { expectedOverBaselines } from '../methods/expected-baselines.js';
import { parseIgBaseline, type IgBaselineSpec } from '../methods/ig-baseline-spec.js';
import { createMethod, isMethodName } from '../methods/registry.js';
import { blackInput, resizeShorterOf, toModelInput, type Preprocessing } from '../models/preprocess.js';
import { DEFAULT_IG_BASELINE, type ExplainOptions } from './options.js';

export interface AttributionResult {
  values: Float32Array;
  shape: Shape;
  map: Float32Array;
  /** The method's name as run (e.g. "ig", "smoothgrad(ig)", or a custom method's name). */
  method: string;
  /** Sampling covariance of `values` from the queries, when the method can tell (methods/map-uncertainty.ts). */
  covariance?: ChannelCovariance;
}

type MethodOptions = Pick<ExplainOptions, 'samples' | 'noiseLevel' | 'steps' | 'igPath' | 'cells' | 'keep' | 'batchSize' | 'igBaseline' | 'signal' | 'tunnel'> & {
  method: string | AttributionMethod;
  seed: number;
  reduction: ChannelReduction;
  /** Batch shards (src/batch/): which chunks of the sums this run computes or takes (gradients/chunks.ts). */
  chunks?: ChunkLedger;
};

/** Build the method and run it: the one call batch shards and explain() share, so their maps have the same bits. */
export async function attributeWithMethod(
  f: BatchFunction,
  x: Float32Array,
  valueAtX: number,
  queries: number,
  source: GradientSource,
  o: MethodOptions,
  preprocessing: Preprocessing,
  image: RgbImage | undefined,
): Promise<AttributionResult> {
  const method = await buildMethod(o, source, preprocessing, f.shape, image);
  return attribute(method, f, x, valueAtX, queries, o);
}

/** The method to run: an instance as given, or one built by name over `source`, inside a tunnel if asked. */
export async function buildMethod(
  o: MethodOptions,
  source: GradientSource,
  preprocessing: Preprocessing,
  shape: Shape,
  image: RgbImage | undefined,
): Promise<AttributionMethod> {
  let method: AttributionMethod;
  if (typeof o.method === 'string') {
    if (!isMethodName(o.method)) throw invalidArgument(`unknown method "${o.method}"`);
    const needsBaseline = o.method === 'ig' || o.method === 'rise';
    const spec = parseIgBaseline(o.method === 'rise' ? 'black' : o.igBaseline ?? DEFAULT_IG_BASELINE);
    // An expectation over baselines (issue 17) is one IG map per baseline, averaged: expected-baselines.ts.
    const baselines = !needsBaseline ? [undefined] : spec.kind === 'expected' ? await Promise.all(spec.baselines.map((b) => baselineInput(preprocessing, shape, image, b))) : [await baselineInput(preprocessing, shape, image, spec)];
    const one = (baseline: Float32Array | undefined) => createMethod(o.method as string, source, {
      ...pick(o, ['samples', 'noiseLevel', 'steps', 'cells', 'keep', 'batchSize']),
      ...(o.igPath !== undefined ? { path: o.igPath } : {}),
      ...(baseline ? { baseline } : {}),
    });
    method = expectedOverBaselines(baselines.map(one));
  } else {
    method = o.method;
  }
  if (!o.tunnel) return method;
  if (method.name === 'smoothgrad' || method.name === 'vargrad') throw invalidArgument(`--tunnel ${o.tunnel} around ${method.name}: it is already a noise tunnel`);
  return noiseTunnel(method, o.tunnel, pick(o, ['samples', 'noiseLevel']));
}

export async function attribute(
  method: AttributionMethod,
  f: BatchFunction,
  x: Float32Array,
  valueAtX: number,
  queries: number,
  o: Pick<MethodOptions, 'seed' | 'reduction' | 'signal' | 'chunks'>,
): Promise<AttributionResult> {
  const result = await method.attribute({ f, x, queries, rng: new Rng(o.seed), valueAtX, ...(o.signal ? { signal: o.signal } : {}), ...(o.chunks ? { chunks: o.chunks } : {}) });
  return { values: result.values, shape: result.shape, map: reduceChannels(result.values, result.shape, o.reduction), method: method.name, ...(result.covariance ? { covariance: result.covariance } : {}) };
}

/** The IG baseline / RISE fill in input space. Without an image (x given directly), only black and zeros exist. */
async function baselineInput(p: Preprocessing, shape: Shape, image: RgbImage | undefined, spec: IgBaselineSpec): Promise<Float32Array> {
  if (shape.channels !== 3) return new Float32Array(shape.channels * shape.height * shape.width);
  if (spec.kind === 'black') return blackInput(p, shape);
  if (!image) {
    if (spec.kind === 'blur') return blackInput(p, shape);
    throw invalidArgument(`the ${spec.kind === 'image' ? 'image' : spec.kind} IG baseline needs an image to explain, not a raw input`);
  }
  if (spec.kind === 'mean') return toModelInput(p, meanColour(image), image.height, image.width);
  if (spec.kind === 'expected') throw invalidArgument('an expected baseline cannot be nested');
  const source = spec.kind === 'blur'
    ? await blurImage(image, spec.sigma ?? Math.max(image.width, image.height) / 20)
    : await loadImage(spec.path, { resizeShorter: resizeShorterOf(p), crop: { width: p.width, height: p.height } });
  return toModelInput(p, source.data, source.height, source.width);
}

/** The photo's mean colour on every pixel (interleaved RGB, fractional values kept). */
function meanColour(image: RgbImage): Float32Array {
  const pixels = image.width * image.height;
  const sums = [0, 0, 0];
  for (let i = 0; i < pixels * 3; i++) sums[i % 3]! += image.data[i]!;
  const out = new Float32Array(pixels * 3);
  for (let i = 0; i < out.length; i++) out[i] = sums[i % 3]! / pixels;
  return out;
}
