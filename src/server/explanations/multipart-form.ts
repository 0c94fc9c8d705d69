/** Read a multipart form: string fields plus at most one file, in the field `image`, within the size limits. */
import type { FastifyRequest } from 'fastify';
import { HttpError } from './http-errors.js';

export interface Form {
  fields: Record<string, string>;
  image?: { bytes: Buffer; filename: string };
}

export async function readForm(request: FastifyRequest, maxUploadBytes: number): Promise<Form> {
  if (!request.isMultipart()) throw new HttpError(415, 'expected a multipart/form-data body (fields and an `image` file)');
  const fields: Record<string, string> = {};
  let image: Form['image'];
  const parts = request.parts({ limits: { fileSize: maxUploadBytes, files: 1, fields: 50, fieldSize: 2000, parts: 52 } });
  for await (const part of parts) {
    if (part.type === 'file') {
      if (part.fieldname !== 'image') {
        part.file.resume();
        throw new HttpError(400, `unexpected file field "${part.fieldname.slice(0, 40)}"; the image goes in the field "image"`);
      }
      const bytes = await part.toBuffer(); // throws a 413 past maxUploadBytes
      image = { bytes, filename: part.filename ?? 'upload' };
    } else {
      if (Object.hasOwn(fields, part.fieldname)) throw new HttpError(400, `field "${part.fieldname.slice(0, 40)}" given twice`);
      if (part.valueTruncated) throw new HttpError(413, `field "${part.fieldname.slice(0, 40)}" is too long`);
      fields[part.fieldname] = String(part.value);
    }
  }
  return { fields, ...(image ? { image } : {}) };
}
