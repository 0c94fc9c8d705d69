/**
 * Remote black boxes that do not return a score per class: a label API answers with labels, a vision chat
 * model answers with text. Inputs are CHW float32 RGB pixels in 0..255 (for remote models, model-input
 * space is raw pixels); adapters round/clamp them to 8 bits and send lossless PNG.
 */
import { z } from 'zod';
import type { Shape } from '../../core/tensor.js';

export interface LabelAnswer {
  label: string;
  score?: number;
}

/** One image's labels as the answer cache must hold them. */
export const labelAnswersSchema: z.ZodType<LabelAnswer[]> = z.array(z.object({ label: z.string(), score: z.number().optional() }));

/** Running totals of one remote model. `sent` counts images sent (not HTTP requests, not retries). */
export interface RemoteStats {
  /** Images sent to the endpoint (each one a paid query). */
  sent: number;
  /** Inputs answered without sending: from the on-disk cache, or a duplicate within the same call. */
  cacheHits: number;
  /** Money charged so far: sent × price per query. */
  cost: number;
  /** HTTP attempts repeated after a 408, 429, 5xx, timeout, network error or malformed answer. */
  retries: number;
  /** Cache entries found bad (wrong shape, not JSON, unreadable): reported, then bought again. */
  cacheErrors: number;
  /** Answers that could not be written to the cache (the first failure is reported): a rerun pays for them again. */
  cacheWriteErrors: number;
}

/** A model that returns labels for an image (a label API). */
export interface LabelModel {
  readonly kind: 'labels';
  readonly inputShape: Shape;
  /** Queries the model answers at once (explainRemote sizes its batches to it). */
  readonly concurrency?: number;
  labels(inputs: Float32Array, count: number, signal?: AbortSignal): Promise<LabelAnswer[][]>;
  stats(): RemoteStats;
  dispose(): Promise<void>;
}

/** A model that answers a question about an image in text (a vision chat model). */
export interface TextModel {
  readonly kind: 'text';
  readonly inputShape: Shape;
  /** Queries the model answers at once (explainRemote sizes its batches to it). */
  readonly concurrency?: number;
  answer(inputs: Float32Array, count: number, prompt: string, signal?: AbortSignal): Promise<string[]>;
  stats(): RemoteStats;
  dispose(): Promise<void>;
}

/** What every remote adapter offers beyond its interface: where it sends, and what a run would cost. */
export interface RemoteModelInfo {
  /** Endpoint URL without query string or credentials (safe to print). */
  readonly endpoint: string;
  /** Price of `queries` images sent (before cache hits), in the unit of `pricePerQuery`. */
  estimateCost(queries: number): number;
}

export type RemoteLabelModel = LabelModel & RemoteModelInfo;
export type RemoteTextModel = TextModel & RemoteModelInfo;
