/**
 * Node built-ins for the few environment-neutral modules that read a shipped data file when they run in Node
 * (the WordNet graph). `process.getBuiltinModule` (Node ≥ 20.16) is a lookup, not an import, so the same module
 * still bundles and runs in a browser, where the data is provided instead (e.g. provideWordNet).
 */
import { LrsalError } from './errors.js';

interface NodeProcess {
  getBuiltinModule?(id: string): unknown;
}

export function nodeBuiltin<T>(id: string, why: string): T {
  const module = (globalThis as { process?: NodeProcess }).process?.getBuiltinModule?.(id);
  if (!module) throw new LrsalError('UNSUPPORTED', `${why} needs Node.js ≥ 20.16 (${id}); outside Node, provide the data instead`);
  return module as T;
}
