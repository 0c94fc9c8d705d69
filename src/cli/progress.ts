/** A progress bar on stderr (TTY only): queries done / total, rate and ETA. Silent when piped. */
import cliProgress from 'cli-progress';
import type { LedgerProgress } from '../core/ledger.js';

export interface ProgressReporter {
  update(p: LedgerProgress): void;
  stop(): void;
}

export function progressBar(label: string, enabled = Boolean(process.stderr.isTTY)): ProgressReporter {
  if (!enabled) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {value}/{total} queries | {rate} q/s | ETA {eta_formatted}`,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  const t0 = performance.now();
  return {
    update({ spent, budget }) {
      if (!started) {
        bar.start(budget, 0, { rate: '0' });
        started = true;
      }
      const seconds = (performance.now() - t0) / 1000;
      bar.update(spent, { rate: seconds > 0 ? (spent / seconds).toFixed(0) : '0' });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
