/** Helpers for the explanation server's tests: multipart bodies for inject(), and waiting for a job. */
import type { FastifyInstance } from 'fastify';
import type { JobManager } from '../../src/server/explanations/job-manager.js';

/** A job as the API answers it. */
export type JobJson = ReturnType<JobManager['view']> & { files: Record<'input' | 'overlay' | 'map' | 'summary', string> };

export interface FilePart {
  name: string;
  filename: string;
  type: string;
  data: Buffer;
}

/** A multipart/form-data body (what a browser or curl -F sends). */
export function multipart(fields: Record<string, string | number>, file?: FilePart): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----lrsal-test-boundary-7f3a';
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  if (file) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.name}"; filename="${file.filename}"\r\nContent-Type: ${file.type}\r\n\r\n`));
    chunks.push(file.data, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

export const imagePart = (data: Buffer, filename = 'photo.png', type = 'image/png'): FilePart => ({ name: 'image', filename, type, data });

export async function postJob(app: FastifyInstance, fields: Record<string, string | number>, file?: FilePart, headers: Record<string, string> = {}): Promise<InjectResponse> {
  const body = multipart(fields, file);
  return app.inject({ method: 'POST', url: '/v1/explanations', payload: body.payload, headers: { ...body.headers, ...headers } });
}

/** What inject() resolves to. */
export type InjectResponse = Awaited<ReturnType<FastifyInstance['inject']>>;

const TERMINAL = ['done', 'failed', 'cancelled', 'interrupted'];

/** Poll a job until it reaches one of `statuses` (default: any terminal status). */
export async function waitFor(app: FastifyInstance, id: string, until: (job: JobJson) => boolean = (j) => TERMINAL.includes(j.status), timeoutMs = 60_000): Promise<JobJson> {
  const start = Date.now();
  for (;;) {
    const job = (await app.inject({ method: 'GET', url: `/v1/explanations/${id}` })).json<JobJson>();
    if (until(job)) return job;
    if (Date.now() - start > timeoutMs) throw new Error(`job ${id} still ${job.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 40));
  }
}
