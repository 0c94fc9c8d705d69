/** Collapse a C×H×W attribution to the H×W map a person looks at. */
import type { Shape } from '../core/tensor.js';

/** positive: the channel sum's positive part, max(0, Σ_c v_c) — evidence for the class only (issue 17). */
export const CHANNEL_REDUCTIONS = ['abs-max', 'abs-sum', 'sum', 'positive'] as const;
export type ChannelReduction = (typeof CHANNEL_REDUCTIONS)[number];

export function reduceChannels(values: Float32Array, shape: Shape, reduction: ChannelReduction): Float32Array {
  const plane = shape.height * shape.width;
  const out = new Float32Array(plane);
  for (let c = 0; c < shape.channels; c++) {
    const base = c * plane;
    for (let p = 0; p < plane; p++) {
      const v = values[base + p]!;
      if (reduction === 'abs-max') out[p] = Math.max(out[p]!, Math.abs(v));
      else if (reduction === 'abs-sum') out[p]! += Math.abs(v);
      else out[p]! += v;
    }
  }
  if (reduction === 'positive') for (let p = 0; p < plane; p++) out[p] = Math.max(0, out[p]!);
  return out;
}
