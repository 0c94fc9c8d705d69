/**
 * ONNX adapter for the browser: the model runs in onnxruntime-web (WebAssembly), wrapped by the same
 * session code as onnxruntime-node (models/onnx-session.ts). The runtime's .wasm/.mjs files come from the
 * page's own folder (copied from node_modules at build), never from a CDN. Threads only where the page is
 * cross-origin isolated (SharedArrayBuffer needs COOP/COEP); one thread otherwise.
 */
import * as ort from 'onnxruntime-web/wasm';
import { LrsalError } from '../core/errors.js';
import { firstLine, scoreModelFromSession, type OnnxModel, type OnnxModelOptions, type OrtSession } from '../models/onnx-session.js';

export interface WebRuntimeOptions {
  /** Folder URL holding ort-wasm-simd-threaded.{wasm,mjs}. */
  runtimeUrl: string;
  /** Threads wanted (default: half the cores, at most 4); forced to 1 without cross-origin isolation. */
  threads?: number;
}

let configured: { threads: number } | undefined;

/** Point onnxruntime-web at its files and pick the thread count; the first call wins (ort reads env once). */
export function configureRuntime(options: WebRuntimeOptions): { threads: number; isolated: boolean } {
  const isolated = self.crossOriginIsolated;
  if (!configured) {
    const base = new URL(options.runtimeUrl, location.href).href.replace(/\/?$/, '/');
    ort.env.wasm.wasmPaths = { wasm: `${base}ort-wasm-simd-threaded.wasm`, mjs: `${base}ort-wasm-simd-threaded.mjs` };
    const wanted = options.threads ?? Math.max(1, Math.min(4, Math.floor((navigator.hardwareConcurrency || 2) / 2)));
    configured = { threads: isolated ? wanted : 1 };
    ort.env.wasm.numThreads = configured.threads;
  }
  return { threads: configured.threads, isolated };
}

/** An ONNX classifier from the bytes of an .onnx file (read locally: nothing leaves the page). */
export async function loadOnnxWebModel(bytes: Uint8Array, name: string, options: OnnxModelOptions & WebRuntimeOptions): Promise<OnnxModel> {
  configureRuntime(options);
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  } catch (error) {
    throw new LrsalError('MODEL_INVALID', `${name} is not a loadable ONNX model (${firstLine(error)})`);
  }
  return scoreModelFromSession(session as unknown as OrtSession, ort.Tensor, name, options);
}
