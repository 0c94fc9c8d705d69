/** Accumulates the nodes and constants of the generated forward + backward graph. */
import { DataType, type Attribute, type OnnxNode, type Tensor } from './onnx-proto.js';

/** The operator-set version of every node the builder emits (ScatterElements reduction needs ≥ 16). */
export const TARGET_OPSET = 17;

export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: (Tensor & { name: string })[] = [];
  /** Static shapes of forward tensors (backward tensors only when a rule needs them). */
  readonly shapes = new Map<string, readonly number[]>();
  private readonly initializerNames = new Set<string>();
  private readonly scalarCache = new Map<number, string>();
  private counter = 0;

  fresh(hint: string): string {
    return `lrsal/${hint}_${this.counter++}`;
  }

  /** Adds a constant under the given name once; later calls with the same name are no-ops. */
  addInitializer(name: string, tensor: Tensor): string {
    if (!this.initializerNames.has(name)) {
      this.initializerNames.add(name);
      this.initializers.push({ ...tensor, name });
      this.shapes.set(name, tensor.dims);
    }
    return name;
  }

  floats(values: ArrayLike<number>, dims: readonly number[], hint = 'const'): string {
    return this.addInitializer(this.fresh(hint), { dims, dataType: DataType.FLOAT, floats: Float32Array.from(values) });
  }

  int64s(values: readonly number[], dims: readonly number[] = [values.length], hint = 'ints'): string {
    return this.addInitializer(this.fresh(hint), { dims, dataType: DataType.INT64, ints: values });
  }

  /** A shared rank-0 float constant. */
  scalar(value: number): string {
    const cached = this.scalarCache.get(value);
    if (cached) return cached;
    const name = this.floats([value], [], 'scalar');
    this.scalarCache.set(value, name);
    return name;
  }

  op(opType: string, inputs: readonly string[], attributes: readonly Attribute[] = [], shape?: readonly number[]): string {
    return this.opMulti(opType, inputs, 1, attributes, shape ? [shape] : undefined)[0]!;
  }

  opMulti(
    opType: string,
    inputs: readonly string[],
    outputCount: number,
    attributes: readonly Attribute[] = [],
    shapes?: readonly (readonly number[])[],
  ): string[] {
    const outputs = Array.from({ length: outputCount }, () => this.fresh(opType));
    this.nodes.push({ opType, domain: '', name: outputs[0]!, inputs, outputs, attributes });
    shapes?.forEach((shape, i) => this.shapes.set(outputs[i]!, shape));
    return outputs;
  }

  /** Values of an integer constant the builder created (backward rules read forward node parameters). */
  constantInts(name: string): readonly number[] {
    const values = this.initializers.find((t) => t.name === name)?.ints;
    if (!values) throw new Error(`internal: ${name} is not an integer constant`);
    return values;
  }

  shape(name: string): readonly number[] {
    const shape = this.shapes.get(name);
    if (!shape) throw new Error(`internal: no static shape for ${name}`);
    return shape;
  }
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Normalises a possibly negative axis against a rank. */
export function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}
