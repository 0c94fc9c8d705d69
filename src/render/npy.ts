/** NumPy .npy (format 1.0, little-endian float32, C order): the raw map, readable by numpy.load. */

export function encodeNpy(data: Float32Array, shape: readonly number[]): Buffer {
  const header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  // Magic (6) + version (2) + header length (2) + header, padded with spaces to a multiple of 64, ending in \n.
  const unpadded = 10 + header.length + 1;
  const padded = header + ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(padded.length, 8);
  const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('big-endian hosts are not supported');
  return Buffer.concat([head, Buffer.from(padded, 'latin1'), body]);
}

export function decodeNpy(buffer: Buffer): { data: Float32Array; shape: number[] } {
  if (buffer.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error('not an .npy file');
  const len = buffer.readUInt16LE(8);
  const header = buffer.toString('latin1', 10, 10 + len);
  if (!header.includes("'<f4'")) throw new Error('only little-endian float32 .npy files are supported');
  const shape = (/'shape': \(([^)]*)\)/.exec(header)?.[1] ?? '').split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const bytes = buffer.subarray(10 + len);
  const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return { data, shape };
}
