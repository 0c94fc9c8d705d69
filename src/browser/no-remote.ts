/** Browser stand-in for src/explain/remote-objective.ts: remote label and chat models are explained from Node. */
import { LrsalError } from '../core/errors.js';

export async function remoteObjective(): Promise<never> {
  throw new LrsalError('UNSUPPORTED', 'remote label and chat models are explained from Node (lrsal explain --api), not in the browser page');
}
