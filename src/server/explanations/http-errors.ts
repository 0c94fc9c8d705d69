/** Every failure a client can cause becomes a 4xx with `{ error: message }`; anything else a bare 500. */
import { LrsalError, type LrsalErrorCode } from '../../core/errors.js';

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

const STATUS_OF: Partial<Record<LrsalErrorCode, number>> = {
  INVALID_ARGUMENT: 400,
  UNKNOWN_TARGET: 400,
  BUDGET_EXCEEDED: 400,
  IMAGE_UNREADABLE: 415,
  IMAGE_TOO_LARGE: 413,
  FILE_NOT_FOUND: 404,
  UNSUPPORTED: 400,
};

/** Status and message for a thrown value; `exposed` false means log it and say only "internal error". */
export function httpErrorOf(error: unknown): { status: number; message: string; exposed: boolean } {
  if (error instanceof HttpError) return { status: error.statusCode, message: error.message, exposed: true };
  if (error instanceof LrsalError && STATUS_OF[error.code]) return { status: STATUS_OF[error.code]!, message: error.message, exposed: true };
  const e = error as { statusCode?: unknown; message?: unknown; code?: unknown };
  // Fastify's own errors (bad content type, body too large, multipart limits) carry a 4xx statusCode.
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return { status: e.statusCode, message: oneLine(String(e.message ?? 'bad request')), exposed: true };
  }
  return { status: 500, message: 'internal error', exposed: false };
}

function oneLine(text: string): string {
  return text.split('\n')[0]!.slice(0, 300);
}
