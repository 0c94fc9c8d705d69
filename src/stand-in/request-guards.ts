/**
 * Checks every stand-in server makes before doing work for a request: a JSON body (415 otherwise), the Host
 * header when bound to loopback (a web page whose domain was rebound to 127.0.0.1 sends its own host name:
 * 403), and bounded images per request (413), so a local test server cannot be made to decode gigapixels.
 */
import type { IncomingMessage } from 'node:http';
import sharp from 'sharp';

/** An error with the HTTP status the server answers with. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Defaults of the image caps. */
export const DEFAULT_MAX_IMAGES_PER_REQUEST = 16;
export const DEFAULT_MAX_PIXELS_PER_REQUEST = 64 * 1024 * 1024;

/** 415 unless the request body is declared as JSON (application/json, or a +json type). */
export function requireJsonBody(req: IncomingMessage): void {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json' && !/^application\/[\w.+-]+\+json$/.test(type)) {
    throw new HttpError(415, `the request body must be JSON (content-type: application/json), got ${type ? `"${type}"` : 'no content-type'}`);
  }
}

/**
 * For a server bound to a loopback address: a check that the Host header names this machine by a loopback name
 * (localhost, 127.0.0.1, [::1]) and the server's port; undefined for other bindings (the operator chose to
 * expose the server).
 */
export function loopbackHostGuard(boundHost: string, port: number): ((req: IncomingMessage) => void) | undefined {
  if (!isLoopback(boundHost)) return undefined;
  const names = ['localhost', '127.0.0.1', '[::1]'];
  const allowed = new Set(names.map((n) => `${n}:${port}`));
  if (port === 80) for (const n of names) allowed.add(n);
  return (req) => {
    const host = (req.headers.host ?? '').toLowerCase();
    if (!allowed.has(host)) {
      throw new HttpError(403, `Host "${host}" refused: this local server answers only localhost, 127.0.0.1 or [::1] on port ${port} (DNS rebinding guard)`);
    }
  };
}

function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** 413 when a request carries more than `maxImages` images or more than `maxPixels` pixels in all (read from the headers, nothing decoded). */
export async function checkImageBudget(images: Buffer[], maxImages: number, maxPixels: number): Promise<void> {
  if (images.length > maxImages) throw new HttpError(413, `at most ${maxImages} images per request, got ${images.length}`);
  let pixels = 0;
  for (const image of images) {
    pixels += pngPixels(image) ?? (await otherPixels(image));
    if (pixels > maxPixels) throw new HttpError(413, `more than ${maxPixels} pixels in one request (${images.length} images); send fewer or smaller images`);
  }
}

/** Width × height from a PNG's IHDR chunk (the common case, read without sharp); undefined for other formats. */
function pngPixels(image: Buffer): number | undefined {
  const signature = '89504e470d0a1a0a';
  if (image.length < 24 || image.subarray(0, 8).toString('hex') !== signature || image.subarray(12, 16).toString('latin1') !== 'IHDR') return undefined;
  return image.readUInt32BE(16) * image.readUInt32BE(20);
}

async function otherPixels(image: Buffer): Promise<number> {
  const meta = await sharp(image).metadata().catch(() => undefined); // unreadable: the decoder reports it
  return (meta?.width ?? 0) * (meta?.height ?? 0) * (meta?.pages ?? 1);
}
