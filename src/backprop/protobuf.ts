/**
 * Minimal protobuf wire-format reader and writer: just enough to decode and re-encode ONNX models without a
 * schema compiler or a runtime dependency.
 */

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_FIXED32 = 5;

export interface Field {
  readonly number: number;
  readonly wireType: number;
  /** Varint fields hold a number (int64 beyond 2^53 loses precision, which ONNX attributes never need). */
  readonly varint: number;
  /** Length-delimited payload (a view into the source buffer), or the 4/8 raw bytes of fixed fields. */
  readonly bytes: Uint8Array;
}

export class ProtoReader {
  private pos = 0;

  constructor(private readonly buf: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  varint(): number {
    let result = 0;
    let shift = 0;
    // Fast path for values that fit in 28 bits; the general path keeps two's-complement int64 semantics.
    for (; shift < 28; shift += 7) {
      const byte = this.byte();
      result |= (byte & 0x7f) << shift;
      if (byte < 0x80) return result >>> 0;
    }
    let big = BigInt(result >>> 0);
    for (; shift < 70; shift += 7) {
      const byte = this.byte();
      big |= BigInt(byte & 0x7f) << BigInt(shift);
      if (byte < 0x80) return Number(BigInt.asIntN(64, big));
    }
    throw new Error('malformed protobuf varint');
  }

  field(): Field {
    const key = this.varint();
    const wireType = key & 7;
    const number = key >>> 3;
    switch (wireType) {
      case WIRE_VARINT:
        return { number, wireType, varint: this.varint(), bytes: EMPTY };
      case WIRE_FIXED64:
        return { number, wireType, varint: 0, bytes: this.take(8) };
      case WIRE_BYTES:
        return { number, wireType, varint: 0, bytes: this.take(this.varint()) };
      case WIRE_FIXED32:
        return { number, wireType, varint: 0, bytes: this.take(4) };
      default:
        throw new Error(`unsupported protobuf wire type ${wireType}`);
    }
  }

  private byte(): number {
    if (this.pos >= this.buf.length) throw new Error('truncated protobuf message');
    return this.buf[this.pos++]!;
  }

  private take(n: number): Uint8Array {
    if (this.pos + n > this.buf.length) throw new Error('truncated protobuf message');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

const EMPTY = new Uint8Array(0);
const utf8Decoder = new TextDecoder();
const utf8Encoder = new TextEncoder();

export function decodeString(bytes: Uint8Array): string {
  return utf8Decoder.decode(bytes);
}

export function readFloat32(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, 4).getFloat32(0, true);
}

/** Values of a repeated varint field, packed (one bytes field) or not (one varint per field). */
export function appendVarints(field: Field, out: number[]): void {
  if (field.wireType === WIRE_VARINT) {
    out.push(field.varint);
    return;
  }
  const reader = new ProtoReader(field.bytes);
  while (!reader.done) out.push(reader.varint());
}

/** Values of a repeated float field, packed or not. */
export function appendFloats(field: Field, out: number[]): void {
  const view = new DataView(field.bytes.buffer, field.bytes.byteOffset, field.bytes.byteLength);
  for (let i = 0; i + 4 <= field.bytes.byteLength; i += 4) out.push(view.getFloat32(i, true));
}

/** Append-only encoder; nested messages are encoded separately and written as bytes fields. */
export class ProtoWriter {
  private buf = new Uint8Array(256);
  private pos = 0;

  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  varintField(number: number, value: number): this {
    this.rawVarint(number * 8 + WIRE_VARINT);
    this.rawVarint(value);
    return this;
  }

  floatField(number: number, value: number): this {
    this.rawVarint(number * 8 + WIRE_FIXED32);
    this.ensure(4);
    new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 4).setFloat32(0, value, true);
    this.pos += 4;
    return this;
  }

  bytesField(number: number, bytes: Uint8Array): this {
    this.rawVarint(number * 8 + WIRE_BYTES);
    this.rawVarint(bytes.length);
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
    return this;
  }

  stringField(number: number, value: string): this {
    return this.bytesField(number, utf8Encoder.encode(value));
  }

  packedVarints(number: number, values: readonly number[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.rawVarint(v);
    return this.bytesField(number, inner.finish());
  }

  packedFloats(number: number, values: readonly number[]): this {
    const bytes = new Uint8Array(values.length * 4);
    const view = new DataView(bytes.buffer);
    values.forEach((v, i) => view.setFloat32(i * 4, v, true));
    return this.bytesField(number, bytes);
  }

  private rawVarint(value: number): void {
    this.ensure(10);
    if (value >= 0 && value < 2 ** 31) {
      let v = value;
      while (v >= 0x80) {
        this.buf[this.pos++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      this.buf[this.pos++] = v;
      return;
    }
    // Negative int64 values are written as ten-byte two's complement, as protobuf requires.
    let big = BigInt.asUintN(64, BigInt(Math.trunc(value)));
    while (big >= 0x80n) {
      this.buf[this.pos++] = Number(big & 0x7fn) | 0x80;
      big >>= 7n;
    }
    this.buf[this.pos++] = Number(big);
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }
}
