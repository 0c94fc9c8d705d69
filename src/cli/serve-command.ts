/** `lrsal serve`: the explanation server and its page (src/server/explanations/, web/). */
import { Command } from 'commander';
import { createExplanationServer, SERVE_DEFAULTS } from '../server/explanations/app.js';
import { integer } from './parse.js';

interface ServeFlags {
  port: number;
  host: string;
  models?: string;
  data: string;
  token?: string;
  jobs: number;
  maxUploadMb: number;
  maxQueries: number;
}

export function serveCommand(): Command {
  return new Command('serve')
    .description('explanation server: HTTP API (/v1/explanations, /openapi.json) and a web page')
    .option('--port <n>', 'port (0 picks a free one)', integer('--port', 0), 8080)
    .option('--host <addr>', 'interface to bind; anything but loopback needs --token', SERVE_DEFAULTS.host)
    .option('--models <dir>', 'folder of .onnx models (with .lrsal.json model cards) offered besides the bundled one')
    .option('--data <dir>', 'job history and results (SQLite database + files)', '.lrsal-server')
    .option('--token <secret>', 'bearer token required on /v1 routes (default: LRSAL_TOKEN)')
    .option('--jobs <n>', 'jobs running at once (more wait in a queue)', integer('--jobs', 1), SERVE_DEFAULTS.concurrency)
    .option('--max-upload-mb <n>', 'largest upload', integer('--max-upload-mb', 1), SERVE_DEFAULTS.maxUploadBytes / 1024 / 1024)
    .option('--max-queries <n>', 'largest budget a job may ask for', integer('--max-queries', 2), SERVE_DEFAULTS.maxQueries)
    .action(async (flags: ServeFlags) => {
      const token = flags.token ?? process.env.LRSAL_TOKEN;
      const log = (m: string) => process.stderr.write(`lrsal serve: ${m}\n`);
      const server = await createExplanationServer({
        dataDir: flags.data,
        host: flags.host,
        ...(token ? { token } : {}),
        ...(flags.models ? { modelsDir: flags.models } : {}),
        concurrency: flags.jobs,
        maxUploadBytes: flags.maxUploadMb * 1024 * 1024,
        maxQueries: flags.maxQueries,
        log,
      });
      const address = await server.app.listen({ port: flags.port, host: flags.host });
      process.stdout.write(`lrsal serve: listening on ${address} (page at /, API at /v1, OpenAPI at /openapi.json; data in ${flags.data})\n`);
      // First signal: running jobs stop after their queries in flight and are kept as `interrupted` (resumable).
      const shutdown = () => {
        process.off('SIGINT', shutdown).off('SIGTERM', shutdown);
        process.stderr.write('lrsal serve: stopping (running jobs are kept as interrupted)\n');
        server.close().then(() => process.exit(0), () => process.exit(1));
      };
      process.on('SIGINT', shutdown).on('SIGTERM', shutdown);
    });
}
