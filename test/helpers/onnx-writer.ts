/**
 * A tiny ONNX (protobuf) writer for test fixtures: models with odd outputs (wrong shape, NaN) that no
 * real classifier has, made on the fly so the repository carries no binary fixtures.
 */

type Field = [number, 'varint', number] | [number, 'bytes', Uint8Array | string];

function varint(n: number): number[] {
  const out: number[] = [];
  let v = BigInt(n);
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return out;
}

function message(fields: Field[]): Uint8Array {
  const bytes: number[] = [];
  for (const [num, kind, value] of fields) {
    if (kind === 'varint') bytes.push(...varint((num << 3) | 0), ...varint(value));
    else {
      const data = typeof value === 'string' ? new TextEncoder().encode(value) : value;
      bytes.push(...varint((num << 3) | 2), ...varint(data.length), ...data);
    }
  }
  return Uint8Array.from(bytes);
}

export interface TestNode {
  op: string;
  inputs: string[];
  outputs: string[];
  /** Integer attributes only (enough for Flatten's axis). */
  ints?: Record<string, number>;
}

/** dims: numbers or symbolic names. */
function valueInfo(name: string, dims: Array<number | string>): Uint8Array {
  const shape = message(dims.map((d): Field => [1, 'bytes', typeof d === 'number' ? message([[1, 'varint', d]]) : message([[2, 'bytes', d]])]));
  const tensorType = message([[1, 'varint', 1], [2, 'bytes', shape]]);
  return message([[1, 'bytes', name], [2, 'bytes', message([[1, 'bytes', tensorType]])]]);
}

export function onnxModel(input: { name: string; dims: Array<number | string> }, output: { name: string; dims: Array<number | string> }, nodes: TestNode[], opset = 13): Buffer {
  const nodeMsgs = nodes.map((n, i) =>
    message([
      ...n.inputs.map((s): Field => [1, 'bytes', s]),
      ...n.outputs.map((s): Field => [2, 'bytes', s]),
      [3, 'bytes', `node${i}`],
      [4, 'bytes', n.op],
      // AttributeProto: name=1, i=3, type=20 (INT = 2).
      ...Object.entries(n.ints ?? {}).map(([k, v]): Field => [5, 'bytes', message([[1, 'bytes', k], [3, 'varint', v], [20, 'varint', 2]])]),
    ]),
  );
  const graph = message([
    ...nodeMsgs.map((m): Field => [1, 'bytes', m]),
    [2, 'bytes', 'test'],
    [11, 'bytes', valueInfo(input.name, input.dims)],
    [12, 'bytes', valueInfo(output.name, output.dims)],
  ]);
  return Buffer.from(message([[1, 'varint', 7], [7, 'bytes', graph], [8, 'bytes', message([[1, 'bytes', ''], [2, 'varint', opset]])]]));
}

/** x → Flatten → a [N, 3·8·8] "score" vector; `nan` makes every non-zero input give NaN (sqrt of a negative). */
export function flattenClassifier(nan = false): Buffer {
  const nodes: TestNode[] = [{ op: 'Flatten', inputs: ['x'], outputs: [nan ? 'f' : 'y'], ints: { axis: 1 } }];
  if (nan) nodes.push({ op: 'Abs', inputs: ['f'], outputs: ['a'] }, { op: 'Neg', inputs: ['a'], outputs: ['n'] }, { op: 'Sqrt', inputs: ['n'], outputs: ['y'] });
  return onnxModel({ name: 'x', dims: ['N', 3, 8, 8] }, { name: 'y', dims: ['N', 192] }, nodes);
}

/** x → Identity: the output is an image, not [batch, classes]. */
export function identityModel(): Buffer {
  return onnxModel({ name: 'x', dims: ['N', 3, 8, 8] }, { name: 'y', dims: ['N', 3, 8, 8] }, [{ op: 'Identity', inputs: ['x'], outputs: ['y'] }]);
}
