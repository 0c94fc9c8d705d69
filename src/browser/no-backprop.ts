/**
 * The browser's stand-in for models/differentiable-onnx.ts (esbuild alias): the exact-gradient reference builds a
 * backward graph and runs it in onnxruntime-node, which a page does not have. Black-box gradients only.
 */
import { LrsalError } from '../core/errors.js';

export type DifferentiableModel = never;

export async function loadDifferentiableModel(): Promise<never> {
  throw new LrsalError('INVALID_ARGUMENT', 'gradient backprop is not available in the browser; use lr, blockwise or focused');
}
