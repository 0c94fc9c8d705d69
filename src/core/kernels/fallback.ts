/**
 * The JS reference kernels give the same bits as the WebAssembly ones, only slower (several times, on the
 * estimators' hot loops), so falling back must not be silent: the reason is reported once, to whoever
 * listens (the CLI prints it on stderr; core itself prints nothing and imports no node: module).
 */

let reason: string | undefined;
const listeners: Array<(message: string) => void> = [];

/** Called by the loader when the WebAssembly kernels cannot be used; only the first report counts. */
export function reportKernelFallback(why: string): void {
  if (reason !== undefined) return;
  reason = `the WebAssembly kernels are not available (${why}); using the slower JavaScript kernels (same results)`;
  for (const listener of listeners) listener(reason);
}

/** Hear about a fallback once: at once if it already happened, else when it happens. */
export function onKernelFallback(listener: (message: string) => void): void {
  if (reason !== undefined) listener(reason);
  else listeners.push(listener);
}
