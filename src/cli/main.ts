#!/usr/bin/env node
/** The `lrsal` command line. Errors print one line (no stack unless LRSAL_DEBUG=1) and exit non-zero. */
import { Command, CommanderError } from 'commander';
import { LrsalError, describeError } from '../core/errors.js';
import { batchCommand } from './batch-command.js';
import { attackCommand } from './attack-command.js';
import { evalCommand } from './eval-command.js';
import { explainCommand } from './explain-command.js';
import { fidelityCommand } from './fidelity-command.js';
import { serveModelCommand } from './serve-model-command.js';
import { onKernelFallback } from '../core/kernels/index.js';
import { serveCommand } from './serve-command.js';
import { workerCommand } from './worker-command.js';
import { sanityCommand } from './sanity-command.js';

const program = new Command('lrsal')
  .description('Saliency maps for black-box image models, from forward queries only')
  .showHelpAfterError(false)
  .exitOverride()
  .addCommand(explainCommand())
  .addCommand(fidelityCommand())
  .addCommand(evalCommand())
  .addCommand(serveModelCommand())
  .addCommand(serveCommand())
  .addCommand(batchCommand())
  .addCommand(workerCommand())
  .addCommand(attackCommand())
  .addCommand(sanityCommand());
// addCommand() does not pass exitOverride() on: without this, a bad option value exits 1 from process.exit().
for (const command of program.commands) command.exitOverride();
// `attack` has subcommands of its own (they get exitOverride() in attackCommand()).

// Slower JS kernels instead of the WebAssembly build: say so once (issue 11, item 15).
onKernelFallback((message) => process.stderr.write(`lrsal: warning: ${message}\n`));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = exitCodeFor(error);
  if (!(error instanceof CommanderError)) {
    process.stderr.write(`lrsal: ${describeError(error)}\n`);
    if (process.env.LRSAL_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  }
}

function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
  // Bad arguments, an unknown --target among them (README: exit 2), are the caller's to fix.
  if (error instanceof LrsalError && (error.code === 'INVALID_ARGUMENT' || error.code === 'UNKNOWN_TARGET')) return 2;
  return 1;
}
