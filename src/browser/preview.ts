/**
 * A preview map while an explanation runs: the model's answers are watched as they arrive and folded into
 * Σ (f(xᵢ) − f(x)) · (xᵢ − x), the likelihood-ratio sum over every query so far (for lr/blockwise vanilla
 * it is the estimate itself up to scale; for other methods a rough sketch). The final map replaces it.
 * Watching costs no query: it wraps the model, it does not call it. It also yields to the event loop every
 * ~100 ms, so the page repaints during a run (the model and the estimators share the main thread).
 */
import type { ScoreModel } from '../models/model.js';

export interface PreviewWatcher {
  /** The model to hand to explain(): answers pass through unchanged. */
  readonly model: ScoreModel;
  /** The current H×W preview (channel abs-sum), or null before the first perturbed query. */
  map(): Float32Array | null;
}

/** `target` is read after the first (prediction) call: the explained class, default its top-1. */
export function watchForPreview(model: ScoreModel, target: () => number | undefined): PreviewWatcher {
  const { channels, height, width } = model.inputShape;
  const size = channels * height * width;
  let x: Float32Array | null = null;
  let fx = 0;
  let cls = 0;
  let seen = 0;
  const sum = new Float64Array(size);
  let lastYield = performance.now();
  const watched: ScoreModel = {
    ...model,
    scores: async (inputs, count, signal) => {
      const out = await model.scores(inputs, count, signal);
      if (!x) {
        x = Float32Array.from(inputs.subarray(0, size));
        cls = target() ?? argmax(out.subarray(0, model.classes));
        fx = out[cls]!;
        return out;
      }
      for (let q = 0; q < count; q++) {
        const w = out[q * model.classes + cls]! - fx;
        const at = q * size;
        for (let i = 0; i < size; i++) sum[i]! += w * (inputs[at + i]! - x[i]!);
      }
      seen += count;
      // Hand the page a macrotask now and then so progress and the preview get painted mid-run.
      if (performance.now() - lastYield > 100) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        lastYield = performance.now();
      }
      return out;
    },
    dispose: () => model.dispose(),
  };
  return {
    model: watched,
    map() {
      if (seen === 0) return null;
      const plane = height * width;
      const out = new Float32Array(plane);
      for (let c = 0; c < channels; c++) for (let i = 0; i < plane; i++) out[i]! += Math.abs(sum[c * plane + i]!);
      return out;
    },
  };
}

function argmax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}
