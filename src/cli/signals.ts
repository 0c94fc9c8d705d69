/**
 * Ctrl-C / SIGTERM for long runs. The first signal stops gracefully: queries in flight finish (they are paid
 * for; remote answers get cached) and no new one starts. Then the handlers are removed, so a second signal gets
 * the default action and ends the process at once, even while JavaScript is busy (a handler could not run then).
 */

export interface GracefulStop {
  /** Aborts on the first signal. */
  readonly signal: AbortSignal;
  /** Remove the handlers (the run is over). */
  dispose(): void;
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export function gracefulStop(say: (message: string) => void = (m) => process.stderr.write(m)): GracefulStop {
  const stop = new AbortController();
  const onSignal = () => {
    dispose();
    say('\nlrsal: stopping after the queries in flight (again to quit at once)\n');
    stop.abort();
  };
  const dispose = () => {
    for (const s of SIGNALS) process.off(s, onSignal);
  };
  for (const s of SIGNALS) process.on(s, onSignal);
  return { signal: stop.signal, dispose };
}
