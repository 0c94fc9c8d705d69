/**
 * End-to-end demo of remote explanations (issue: hard-label and text-output black boxes). Starts the stand-in
 * servers in this process, runs `lrsal explain --api …` as a child process for a hard-label map (vision) and a
 * text-answer map (openai chat), kills the first run midway (SIGTERM by default: it lets the query in flight
 * finish; SIGKILL loses that one batch), restarts it, and prints how many queries each server answered.
 * Usage: node dist/scripts/remote-demo.js IMAGE TARGET [QUERIES=1000] [OUT_DIR=out/remote-demo] [SIGNAL=SIGTERM]
 */
import { spawn } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { loadClassifier } from '../src/models/classifier.js';
import { packageRoot } from '../src/models/config.js';
import { startStandInServer, type StandInServer } from '../src/stand-in/stand-in.js';

const [image, target, queriesArg, outArg, signalArg] = process.argv.slice(2);
const killSignal = (signalArg ?? 'SIGTERM') as NodeJS.Signals;
if (!image || !target) throw new Error('usage: remote-demo IMAGE TARGET [QUERIES] [OUT_DIR]');
const queries = queriesArg ?? '1000';
const out = outArg ?? join('out', 'remote-demo');
const cli = join(packageRoot(), 'dist', 'src', 'cli', 'main.js');
await mkdir(out, { recursive: true });

function explain(server: StandInServer, api: 'vision' | 'openai', name: string, killAfterMs?: number): Promise<{ code: number | null; stdout: string }> {
  const endpoint = api === 'vision' ? server.url : `${server.url}/v1`;
  const args = [cli, 'explain', image!, '--api', api, '--endpoint', endpoint, '--target', target!, '--queries', queries, '--cache-dir', join(out, 'cache'), '--rps', '1000', '--out', join(out, `${name}.png`), '--json'];
  if (api === 'openai') args.push('--model', 'stand-in');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    if (killAfterMs) setTimeout(() => child.kill(killSignal), killAfterMs);
    child.on('close', (code) => resolve({ code, stdout }));
  });
}

const classifier = await loadClassifier();
await rm(join(out, 'cache'), { recursive: true, force: true });
for (const api of ['vision', 'openai'] as const) {
  const server = await startStandInServer({ classifier, api, port: 0 });
  const name = api === 'vision' ? 'hard-label' : 'text-answer';
  const killed = await explain(server, api, name, 8000);
  const paidBeforeKill = server.images;
  const finished = await explain(server, api, name);
  const summary = JSON.parse(finished.stdout);
  process.stdout.write(
    JSON.stringify({
      api,
      objective: summary.objective,
      answer: summary.answer,
      firstRun: `${killSignal} after 8 s → exit ${killed.code ?? 'by signal'}`,
      answeredBeforeKill: paidBeforeKill,
      restart: { queries: summary.queries, sent: summary.sent, cacheHits: summary.cacheHits, seconds: summary.seconds },
      serverAnsweredInTotal: server.images,
      reBought: server.images - summary.queries,
      overlay: summary.outputs.overlay,
    }) + '\n',
  );
  await server.close();
}
await classifier.dispose();
