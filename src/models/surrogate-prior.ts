/** A white-box surrogate's gradient as the prior direction of prior-guided estimation (gradients/prior-guided.ts). */
import type { BackpropObjective, DifferentiableModel } from './differentiable.js';
import type { Preprocessing } from './preprocess.js';

/**
 * The gradient of a white-box surrogate as a prior for a black box with other preprocessing: map the
 * black box's input to pixels and on to the surrogate's input (both affine per channel, perhaps with the
 * channel order swapped), differentiate there, and bring the gradient back with the chain rule:
 * ∂f_s/∂x_b[c] = ∂f_s/∂x_s[c'] · (∂x_s/∂pixel) · (∂pixel/∂x_b), c and c' reading the same RGB channel.
 * Both models must take the same crop at the same size.
 */
export function surrogatePrior(
  surrogate: DifferentiableModel,
  surrogatePre: Preprocessing,
  blackBoxPre: Preprocessing,
  target: number,
  objective: BackpropObjective,
): (x: Float32Array, signal?: AbortSignal) => Promise<Float32Array> {
  return async (x) => {
    const plane = x.length / 3;
    const xs = new Float32Array(x.length);
    const gain = new Float64Array(3);
    for (let c = 0; c < 3; c++) {
      const k = rgbOf(blackBoxPre, c);
      const cs = channelOf(surrogatePre, k);
      // pixel·scale = x_b·std_b + mean_b; x_s = (pixel·scale_s − mean_s) / std_s.
      const toScaledPixel = (value: number) => (value * blackBoxPre.std[k]! + blackBoxPre.mean[k]!) / blackBoxPre.scale;
      for (let i = 0; i < plane; i++) {
        xs[cs * plane + i] = (toScaledPixel(x[c * plane + i]!) * surrogatePre.scale - surrogatePre.mean[k]!) / surrogatePre.std[k]!;
      }
      gain[c] = (blackBoxPre.std[k]! / blackBoxPre.scale) * (surrogatePre.scale / surrogatePre.std[k]!);
    }
    const { gradient } = await surrogate.gradient(xs, target, objective);
    const out = new Float32Array(x.length);
    for (let c = 0; c < 3; c++) {
      const cs = channelOf(surrogatePre, rgbOf(blackBoxPre, c));
      for (let i = 0; i < plane; i++) out[c * plane + i] = gradient[cs * plane + i]! * gain[c]!;
    }
    return out;
  };
}

/** Model channel c reads RGB channel rgbOf(c); RGB channel k sits in model channel channelOf(k). */
const rgbOf = (p: Preprocessing, c: number) => (p.channelOrder === 'BGR' ? 2 - c : c);
const channelOf = rgbOf;
