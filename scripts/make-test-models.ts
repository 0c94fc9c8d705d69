/**
 * Generates small random-weight ONNX classifiers for the backprop tests, so the suite needs no downloaded
 * weights: a ResNet-shaped net (BatchNorm, residual Add, PyTorch-style Shape→Reshape flatten, Gemm, Softmax),
 * a DenseNet-style net (Concat-heavy, Split, padded ceil-mode pooling), a MobileNet-style net (Clip, depthwise
 * Conv with SAME padding, HardSwish, squeeze-excite Mul, HardSigmoid) and a tiny ViT (attention, LayerNorm
 * both fused and decomposed, Erf-GELU, Gather, Slice).
 *
 * Usage: node dist/scripts/make-test-models.js [outDir]   (default test/fixtures/generated)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DataType, encodeModel, makeAttr, type Attribute, type OnnxNode, type Tensor } from '../src/backprop/onnx-proto.js';

export interface TestModel {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** Input shape including the batch dimension. */
  readonly inputShape: readonly number[];
}

/** Deterministic uniform [0, 1) generator (mulberry32) so the models are identical on every run. */
function uniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class ModelWriter {
  private readonly nodes: OnnxNode[] = [];
  private readonly initializers: (Tensor & { name: string })[] = [];
  private readonly random: () => number;
  private counter = 0;

  constructor(seed: number) {
    this.random = uniform(seed);
  }

  normal(): number {
    return Math.sqrt(-2 * Math.log(1 - this.random())) * Math.cos(2 * Math.PI * this.random());
  }

  tensor(dims: readonly number[], values: ArrayLike<number>): string {
    const name = `w${this.counter++}`;
    this.initializers.push({ name, dims, dataType: DataType.FLOAT, floats: Float32Array.from(values) });
    return name;
  }

  randn(dims: readonly number[], std: number, mean = 0): string {
    const count = dims.reduce((a, b) => a * b, 1);
    return this.tensor(dims, Array.from({ length: count }, () => mean + std * this.normal()));
  }

  ints(values: readonly number[], dims: readonly number[] = [values.length]): string {
    const name = `i${this.counter++}`;
    this.initializers.push({ name, dims, dataType: DataType.INT64, ints: values });
    return name;
  }

  op(opType: string, inputs: readonly string[], attributes: readonly Attribute[] = [], outputCount = 1): string[] {
    const outputs = Array.from({ length: outputCount }, () => `t${this.counter++}`);
    this.nodes.push({ opType, domain: '', name: `${opType}_${this.counter}`, inputs, outputs, attributes });
    return outputs;
  }

  one(opType: string, inputs: readonly string[], attributes: readonly Attribute[] = []): string {
    return this.op(opType, inputs, attributes)[0]!;
  }

  conv(x: string, cin: number, cout: number, k: number, opts: { stride?: number; pad?: number; group?: number; autoPad?: string } = {}): string {
    const group = opts.group ?? 1;
    const w = this.randn([cout, cin / group, k, k], Math.sqrt(2 / ((cin / group) * k * k)));
    const attributes = [makeAttr.ints('kernel_shape', [k, k]), makeAttr.ints('strides', [opts.stride ?? 1, opts.stride ?? 1]), makeAttr.int('group', group)];
    if (opts.autoPad) attributes.push(makeAttr.string('auto_pad', opts.autoPad));
    else attributes.push(makeAttr.ints('pads', new Array<number>(4).fill(opts.pad ?? 0)));
    return this.one('Conv', [x, w, this.randn([cout], 0.1)], attributes);
  }

  batchNorm(x: string, c: number): string {
    const positive = (): number[] => Array.from({ length: c }, () => 0.5 + this.random());
    return this.one('BatchNormalization', [x, this.tensor([c], positive()), this.randn([c], 0.1), this.randn([c], 0.1), this.tensor([c], positive())], [makeAttr.float('epsilon', 1e-5)]);
  }

  dense(x: string, inFeatures: number, outFeatures: number): string {
    const w = this.randn([outFeatures, inFeatures], Math.sqrt(1 / inFeatures));
    return this.one('Gemm', [x, w, this.randn([outFeatures], 0.1)], [makeAttr.int('transB', 1)]);
  }

  finish(opset: number, input: string, inputShape: readonly number[], outputs: readonly { name: string; shape: readonly number[] }[]): Uint8Array {
    return encodeModel({
      irVersion: 8,
      opsets: [{ domain: '', version: opset }],
      graph: {
        name: 'test',
        nodes: this.nodes,
        initializers: this.initializers,
        inputs: [{ name: input, elemType: DataType.FLOAT, shape: ['N', ...inputShape.slice(1)] }],
        outputs: outputs.map((o) => ({ name: o.name, elemType: DataType.FLOAT, shape: ['N', ...o.shape.slice(1)] })),
      },
    });
  }

  /** A node whose single output gets a fixed name (the graph outputs). */
  named(opType: string, inputs: readonly string[], attributes: readonly Attribute[], output: string): string {
    this.nodes.push({ opType, domain: '', name: output, inputs, outputs: [output], attributes });
    return output;
  }
}

const relu = (m: ModelWriter, x: string): string => m.one('Relu', [x]);

export function resnetMini(): TestModel {
  const m = new ModelWriter(1);
  const shape = [1, 3, 32, 32];
  let x = relu(m, m.batchNorm(m.conv('image', 3, 8, 3, { pad: 1 }), 8));
  x = m.one('MaxPool', [x], [makeAttr.ints('kernel_shape', [3, 3]), makeAttr.ints('strides', [2, 2]), makeAttr.ints('pads', [1, 1, 1, 1])]);
  const block = (input: string, cin: number, cout: number, stride: number): string => {
    let y = relu(m, m.batchNorm(m.conv(input, cin, cout, 3, { stride, pad: 1 }), cout));
    y = m.batchNorm(m.conv(y, cout, cout, 3, { pad: 1 }), cout);
    const skip = stride === 1 && cin === cout ? input : m.batchNorm(m.conv(input, cin, cout, 1, { stride }), cout);
    return relu(m, m.one('Add', [y, skip]));
  };
  x = block(block(x, 8, 8, 1), 8, 16, 2);
  x = m.one('GlobalAveragePool', [x]);
  // PyTorch-style flatten: the target shape is computed from Shape → Gather → Unsqueeze → Concat.
  const batch = m.one('Unsqueeze', [m.one('Gather', [m.one('Shape', [x]), m.ints([0], [])], [makeAttr.int('axis', 0)]), m.ints([0])]);
  x = m.one('Reshape', [x, m.one('Concat', [batch, m.ints([-1])], [makeAttr.int('axis', 0)])]);
  const logits = m.named('Identity', [m.dense(x, 16, 10)], [], 'logits');
  m.named('Softmax', [logits], [makeAttr.int('axis', 1)], 'probs');
  return { name: 'resnet-mini', inputShape: shape, bytes: m.finish(13, 'image', shape, [{ name: 'probs', shape: [1, 10] }, { name: 'logits', shape: [1, 10] }]) };
}

export function densenetMini(): TestModel {
  const m = new ModelWriter(2);
  const shape = [1, 3, 24, 24];
  let x = relu(m, m.batchNorm(m.conv('image', 3, 8, 3, { stride: 2, pad: 1 }), 8));
  let channels = 8;
  const denseBlock = (layers: number): void => {
    for (let l = 0; l < layers; l++) {
      let y = m.conv(relu(m, m.batchNorm(x, channels)), channels, 8, 1);
      y = m.conv(relu(m, m.batchNorm(y, 8)), 8, 4, 3, { pad: 1 });
      x = m.one('Concat', [x, y], [makeAttr.int('axis', 1)]);
      channels += 4;
    }
  };
  denseBlock(3);
  x = m.conv(relu(m, m.batchNorm(x, channels)), channels, 12, 1);
  channels = 12;
  // Padded, ceil-mode pooling exercises the per-position divisors of the AveragePool gradient.
  x = m.one('AveragePool', [x], [makeAttr.ints('kernel_shape', [3, 3]), makeAttr.ints('strides', [2, 2]), makeAttr.ints('pads', [1, 1, 1, 1]), makeAttr.int('ceil_mode', 1), makeAttr.int('count_include_pad', 0)]);
  denseBlock(2);
  const [left, right] = m.op('Split', [x, m.ints([10, 10])], [makeAttr.int('axis', 1)], 2);
  x = m.one('Concat', [m.one('Sigmoid', [left!]), relu(m, right!)], [makeAttr.int('axis', 1)]);
  x = m.one('MaxPool', [x], [makeAttr.ints('kernel_shape', [2, 2]), makeAttr.ints('strides', [2, 2]), makeAttr.int('ceil_mode', 1)]);
  x = m.one('AveragePool', [x], [makeAttr.ints('kernel_shape', [2, 2]), makeAttr.ints('strides', [1, 1]), makeAttr.ints('pads', [0, 0, 1, 1]), makeAttr.int('count_include_pad', 1)]);
  x = m.one('Flatten', [m.one('GlobalAveragePool', [x])], [makeAttr.int('axis', 1)]);
  m.named('Identity', [m.dense(x, channels, 7)], [], 'logits');
  return { name: 'densenet-mini', inputShape: shape, bytes: m.finish(13, 'image', shape, [{ name: 'logits', shape: [1, 7] }]) };
}

export function mobilenetMini(): TestModel {
  const m = new ModelWriter(3);
  const shape = [1, 3, 20, 20];
  const clip6 = (x: string): string => m.one('Clip', [x, m.tensor([], [0]), m.tensor([], [6])]);
  let x = clip6(m.conv('image', 3, 8, 3, { stride: 2, autoPad: 'SAME_UPPER' }));
  const expanded = m.one('HardSwish', [m.conv(x, 8, 8, 3, { group: 8, autoPad: 'SAME_LOWER' })]);
  // Squeeze-excite: channel weights from a pooled branch multiply the feature map (Mul with broadcasting).
  let gate = relu(m, m.conv(m.one('GlobalAveragePool', [expanded]), 8, 4, 1));
  gate = m.one('HardSigmoid', [m.conv(gate, 4, 8, 1)], [makeAttr.float('alpha', 1 / 6), makeAttr.float('beta', 0.5)]);
  x = m.one('Add', [m.one('Identity', [m.conv(m.one('Mul', [expanded, gate]), 8, 8, 1)]), x]);
  x = m.one('Mul', [x, m.one('Sigmoid', [m.one('Neg', [x])])]);
  x = m.one('AveragePool', [m.conv(x, 8, 16, 1)], [makeAttr.ints('kernel_shape', [10, 10])]);
  const logits = m.one('Flatten', [m.conv(x, 16, 12, 1)], [makeAttr.int('axis', 1)]);
  m.named('Softmax', [logits], [makeAttr.int('axis', 1)], 'probs');
  return { name: 'mobilenet-mini', inputShape: shape, bytes: m.finish(14, 'image', shape, [{ name: 'probs', shape: [1, 12] }]) };
}

export function vitMini(): TestModel {
  const m = new ModelWriter(4);
  const shape = [1, 3, 16, 16];
  const [dim, tokens, heads] = [16, 17, 2];
  const headDim = dim / heads;
  const matmul = (x: string, rows: number, cols: number): string => m.one('Add', [m.one('MatMul', [x, m.randn([rows, cols], Math.sqrt(1 / rows))]), m.randn([cols], 0.1)]);
  const layerNorm = (x: string): string => m.one('LayerNormalization', [x, m.randn([dim], 0.1, 1), m.randn([dim], 0.1)], [makeAttr.int('axis', -1)]);
  const decomposedLayerNorm = (x: string): string => {
    const axes = [makeAttr.ints('axes', [-1])];
    const centred = m.one('Sub', [x, m.one('ReduceMean', [x], axes)]);
    const variance = m.one('ReduceMean', [m.one('Pow', [centred, m.tensor([], [2])])], axes);
    const normalised = m.one('Div', [centred, m.one('Sqrt', [m.one('Add', [variance, m.tensor([], [1e-5])])])]);
    return m.one('Add', [m.one('Mul', [normalised, m.randn([dim], 0.1, 1)]), m.randn([dim], 0.1)]);
  };
  let x = m.conv('image', 3, dim, 4, { stride: 4 });
  x = m.one('Transpose', [m.one('Reshape', [x, m.ints([1, dim, tokens - 1])])], [makeAttr.ints('perm', [0, 2, 1])]);
  x = m.one('Add', [m.one('Concat', [m.randn([1, 1, dim], 0.5), x], [makeAttr.int('axis', 1)]), m.randn([1, tokens, dim], 0.1)]);
  // Attention block.
  const [q, k, v] = m.op('Split', [matmul(layerNorm(x), dim, 3 * dim), m.ints([dim, dim, dim])], [makeAttr.int('axis', 2)], 3);
  const toHeads = (t: string, perm: number[]): string => m.one('Transpose', [m.one('Reshape', [t, m.ints([1, tokens, heads, headDim])])], [makeAttr.ints('perm', perm)]);
  const scores = m.one('Mul', [m.one('MatMul', [toHeads(q!, [0, 2, 1, 3]), toHeads(k!, [0, 2, 3, 1])]), m.tensor([], [1 / Math.sqrt(headDim)])]);
  const attention = m.one('MatMul', [m.one('Softmax', [scores], [makeAttr.int('axis', -1)]), toHeads(v!, [0, 2, 1, 3])]);
  const merged = m.one('Reshape', [m.one('Transpose', [attention], [makeAttr.ints('perm', [0, 2, 1, 3])]), m.ints([1, tokens, dim])]);
  x = m.one('Add', [x, matmul(merged, dim, dim)]);
  // MLP block with the exact (Erf) GELU as exporters write it.
  const hidden = matmul(decomposedLayerNorm(x), dim, 2 * dim);
  const erf = m.one('Erf', [m.one('Div', [hidden, m.tensor([], [Math.SQRT2])])]);
  const gelu = m.one('Mul', [m.one('Mul', [hidden, m.one('Add', [erf, m.tensor([], [1])])]), m.tensor([], [0.5])]);
  x = m.one('Add', [x, matmul(gelu, 2 * dim, dim)]);
  // Class token plus the mean of the patch tokens.
  const cls = m.one('Gather', [x, m.ints([0], [])], [makeAttr.int('axis', 1)]);
  const patches = m.one('Slice', [x, m.ints([1]), m.ints([tokens]), m.ints([1])]);
  const pooled = m.one('Add', [cls, m.one('ReduceMean', [patches], [makeAttr.ints('axes', [1]), makeAttr.int('keepdims', 0)])]);
  m.named('Identity', [m.dense(layerNorm(pooled), dim, 9)], [], 'logits');
  return { name: 'vit-mini', inputShape: shape, bytes: m.finish(17, 'image', shape, [{ name: 'logits', shape: [1, 9] }]) };
}

export function makeTestModels(): TestModel[] {
  return [resnetMini(), densenetMini(), mobilenetMini(), vitMini()];
}

function main(): void {
  const outDir = process.argv[2] ?? join('test', 'fixtures', 'generated');
  mkdirSync(outDir, { recursive: true });
  for (const model of makeTestModels()) {
    const path = join(outDir, `${model.name}.onnx`);
    writeFileSync(path, model.bytes);
    console.log(`${path}  ${model.bytes.length} bytes, input [${model.inputShape.join(',')}]`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
