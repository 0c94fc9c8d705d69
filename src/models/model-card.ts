/**
 * Model cards as data: the schema of a card and how its preprocessing spec resolves. No file access, so the
 * browser build uses it too; reading cards from disk is models/config.ts.
 */
import { z } from 'zod';
import { LrsalError } from '../core/errors.js';
import { PREPROCESSING_PRESETS, preprocessingSchema, type Preprocessing, type PresetName } from './preprocess.js';

const presetNames = Object.keys(PREPROCESSING_PRESETS) as [PresetName, ...PresetName[]];

/** A partial preprocessing: a preset plus explicit fields, no defaults (they come from the preset, then the schema). */
export const preprocessSpecSchema = z.object({
  preset: z.enum(presetNames).optional(),
  height: z.number().int().positive().optional(),
  width: z.number().int().positive().optional(),
  resizeShorter: z.number().int().positive().optional(),
  channelOrder: z.enum(['RGB', 'BGR']).optional(),
  scale: z.number().positive().optional(),
  mean: z.tuple([z.number(), z.number(), z.number()]).optional(),
  std: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]).optional(),
});
export type PreprocessSpec = z.input<typeof preprocessSpecSchema>;

export const modelCardSchema = z.object({
  name: z.string().optional(),
  model: z.string(),
  labels: z.string().optional(),
  input: z.string().optional(),
  output: z.string().optional(),
  scoreKind: z.enum(['logits', 'probabilities']).optional(),
  layout: z.enum(['NCHW', 'NHWC']).optional(),
  preprocess: preprocessSpecSchema.default({}),
});
export type ModelCard = z.output<typeof modelCardSchema>;

/** Merge a preprocessing spec (preset, then explicit fields) over the model's input size. */
export function resolvePreprocessing(spec: PreprocessSpec, size: { height: number; width: number }): Preprocessing {
  const { preset, ...explicit } = spec;
  const base = preset ? PREPROCESSING_PRESETS[preset] : {};
  const defined = Object.fromEntries(Object.entries(explicit).filter(([, v]) => v !== undefined));
  const parsed = preprocessingSchema.safeParse({ ...size, ...base, ...defined });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new LrsalError('INVALID_ARGUMENT', `preprocessing ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}
