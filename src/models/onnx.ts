/**
 * ONNX adapter: any image classifier in an .onnx file, queried forward with onnxruntime-node.
 * The only module (with the other adapters) that imports onnxruntime; the session wrapper shared with
 * the browser's onnxruntime-web adapter is models/onnx-session.ts.
 */
import { access, constants, readFile, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';
import { LrsalError } from '../core/errors.js';
import { firstLine, scoreModelFromSession, type OnnxModel, type OnnxModelOptions } from './onnx-session.js';

export { looksLikeProbabilities, MAX_INPUT_VALUES, type OnnxModel, type OnnxModelOptions } from './onnx-session.js';

export async function loadOnnxModel(path: string, options: OnnxModelOptions = {}): Promise<OnnxModel> {
  try {
    await access(path, constants.R_OK);
  } catch {
    throw new LrsalError('FILE_NOT_FOUND', `model file not found or not readable: ${path}`);
  }
  if ((await stat(path)).isDirectory()) throw new LrsalError('INVALID_ARGUMENT', `model path ${path} is a folder; give the .onnx file (or a .json model card)`);
  const bytes = await readFile(path);
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: options.threads ?? availableParallelism(),
      graphOptimizationLevel: 'all',
    });
  } catch (error) {
    throw new LrsalError('MODEL_INVALID', `${path} is not a loadable ONNX model (${firstLine(error)})`);
  }
  return scoreModelFromSession(session, ort.Tensor as never, path, options);
}
