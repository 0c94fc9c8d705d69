/**
 * A tiny static server for the "in this browser" page (tests, benchmark, and `npm run serve:in-browser`):
 * serves web/in-browser/ and the bundled models/ from the package root, read-only, with COOP/COEP so the
 * page is cross-origin isolated (onnxruntime-web may use threads). `isolate: false` serves it without.
 * It records every request it sees (method, path, body bytes) so a test can check nothing was uploaded.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../src/models/config.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.txt': 'text/plain; charset=utf-8',
};

/** Only these folders are served: the page and the bundled model. */
const SERVED = ['web/in-browser/', 'models/'];

export interface SeenRequest {
  method: string;
  path: string;
  bodyBytes: number;
}

export interface InBrowserServer {
  readonly url: string;
  readonly pageUrl: string;
  readonly requests: SeenRequest[];
  close(): Promise<void>;
}

export async function serveInBrowser(options: { port?: number; host?: string; isolate?: boolean; root?: string } = {}): Promise<InBrowserServer> {
  const root = options.root ?? packageRoot();
  const requests: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    let bodyBytes = 0;
    req.on('data', (chunk: Buffer) => (bodyBytes += chunk.length));
    req.on('end', () => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      requests.push({ method: req.method ?? '?', path, bodyBytes });
      void respond(root, path, req.method ?? 'GET', res, options.isolate !== false);
    });
  });
  await new Promise<void>((done) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;
  return {
    url,
    pageUrl: `${url}/web/in-browser/index.html`,
    requests,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

async function respond(root: string, path: string, method: string, res: import('node:http').ServerResponse, isolate: boolean): Promise<void> {
  if (isolate) {
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
  }
  res.setHeader('Cache-Control', 'no-store');
  const relative = normalize(path).replace(/^[/\\]+/, '');
  const file = resolve(root, relative);
  if ((method !== 'GET' && method !== 'HEAD') || !file.startsWith(root + sep) || !SERVED.some((p) => relative.split(sep).join('/').startsWith(p))) {
    res.writeHead(method === 'GET' || method === 'HEAD' ? 404 : 405, { 'content-type': 'text/plain' }).end('not served\n');
    return;
  }
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new Error('not a file');
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': info.size });
    if (method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  }
}

// `node dist/scripts/serve-in-browser.js [port]`: serve the page until stopped.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const server = await serveInBrowser({ port: Number(process.argv[2] ?? 8090) });
  console.log(`lrsal in-browser page: ${server.pageUrl} (build it first with npm run build)`);
}
