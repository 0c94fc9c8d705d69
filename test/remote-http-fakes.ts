/** Tiny HTTP servers for the remote reliability tests: a fake Cloud Vision endpoint (no model) and a scriptable one. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeServer {
  readonly url: string;
  readonly port: number;
  /** Requests received, with their headers. */
  readonly requests: Array<{ url: string; headers: IncomingMessage['headers'] }>;
  close(): Promise<void>;
}

export async function startFake(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void | Promise<void>): Promise<FakeServer> {
  const requests: FakeServer['requests'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ url: req.url ?? '', headers: req.headers });
      void Promise.resolve(handler(req, res, Buffer.concat(chunks).toString('utf8'))).catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Cloud Vision format, every image labelled "tabby", after `delayMs`; counts images in flight and answered. */
export async function startFakeVision(delayMs: number): Promise<FakeServer & { stats: { inFlight: number; maxInFlight: number; answered: number; perRequest: number[] } }> {
  const stats = { inFlight: 0, maxInFlight: 0, answered: 0, perRequest: [] as number[] };
  const fake = await startFake(async (_req, res, body) => {
    const n = (JSON.parse(body) as { requests: unknown[] }).requests.length;
    stats.perRequest.push(n);
    stats.inFlight += n;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    await new Promise((r) => setTimeout(r, delayMs));
    stats.inFlight -= n;
    stats.answered += n;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ responses: Array.from({ length: n }, () => ({ labelAnnotations: [{ description: 'tabby', score: 0.9 }] })) }));
  });
  return Object.assign(fake, { stats });
}

/** `count` distinct tiny inputs (3×8×8), back to back. */
export const TINY = { channels: 3, height: 8, width: 8 };
export function tinyInputs(count: number, salt = 0): Float32Array {
  const size = 3 * 8 * 8;
  const out = new Float32Array(size * count);
  for (let i = 0; i < count; i++) for (let j = 0; j < size; j++) out[i * size + j] = (i * 31 + j * 7 + salt * 101) % 256;
  return out;
}
