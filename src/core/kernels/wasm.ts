/**
 * Loader for the WebAssembly SIMD kernels (dist/wasm/kernels.wasm, compiled from wasm/kernels.wat at build).
 *
 * Kernels only run zero-copy on arrays inside their own memory, so callers that want the fast path allocate
 * their buffers from a KernelArena: one fixed-size WebAssembly.Memory per arena, never grown (growing would
 * detach every view handed out). Arrays elsewhere are either staged through a small scratch area (fills) or
 * handled by the JS reference (see index.ts).
 */
import { kernelBytes } from './kernel-bytes.js';
import { STATE_WORDS } from './reference.js';
import { ZIG_FN, ZIG_KN, ZIG_LAYERS, ZIG_WN } from './ziggurat.js';

// The project's lib (ES2022, node types) has no WebAssembly declarations: the little used here.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  Module: { new (bytes: Uint8Array): object; exports(module: object): Array<{ name: string }> };
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: new (d: { initial: number; maximum: number }) => WasmMemory;
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const PAGE = 65536;
/** Byte offsets of the fixed first page; keep in step with the layout comment in wasm/kernels.wat. */
export const LAYOUT = { kn: 0, wns: 16384, wn: 32768, fn: 65536, state: 98304, list: 114688, listCapacity: 1024, heap: 2 * PAGE } as const;

interface KernelExports {
  fill(dst: number, n: number, scale: number): void;
  perturb(out: number, base: number, noise: number, rows: number, w: number, stride: number, sign: number): void;
  accumulate(acc: number, noise: number, weight: number, rows: number, w: number, stride: number): void;
  accumulateMany(acc: number, count: number, n: number): void;
}

export interface KernelInstance {
  readonly memory: WasmMemory;
  readonly exports: KernelExports;
  /** Views of the first page: the fill state (lanes + slow stream) and the scaled width table. */
  readonly state: Int32Array;
  readonly wns: Float32Array;
  /** accumulateMany's term list: (noise pointer, pad) as i32 pairs and weights as f64, 16 bytes a term. */
  readonly listWords: Int32Array;
  readonly listWeights: Float64Array;
}

const KERNEL_EXPORTS = ['fill', 'perturb', 'accumulate', 'accumulateMany'] as const;

let compiled: object | null | undefined;

/** The compiled module, or null when the build did not produce it (then the JS reference runs). */
function kernelModule(): object | null {
  if (compiled !== undefined) return compiled;
  const bytes = kernelBytes();
  if (!bytes) return (compiled = null);
  try {
    compiled = new WA.Module(bytes);
    // A stale build (`tsc` without `npm run build` after a kernel was added) falls back to the JS reference.
    const names = new Set(WA.Module.exports(compiled).map((e) => e.name));
    if (!KERNEL_EXPORTS.every((name) => names.has(name))) compiled = null;
  } catch {
    compiled = null;
  }
  return compiled;
}

export function wasmAvailable(): boolean {
  return kernelModule() !== null;
}

/** A fresh kernel instance with `heapBytes` of buffer space after the fixed area. */
export function instantiate(heapBytes: number): KernelInstance | null {
  const module = kernelModule();
  if (!module) return null;
  const pages = LAYOUT.heap / PAGE + Math.ceil(heapBytes / PAGE);
  const memory = new WA.Memory({ initial: pages, maximum: pages });
  const instance = new WA.Instance(module, { env: { memory, exp: Math.exp, log: Math.log } });
  new Uint32Array(memory.buffer, LAYOUT.kn, ZIG_LAYERS).set(ZIG_KN);
  new Float64Array(memory.buffer, LAYOUT.wn, ZIG_LAYERS).set(ZIG_WN);
  new Float64Array(memory.buffer, LAYOUT.fn, ZIG_LAYERS).set(ZIG_FN);
  return {
    memory,
    exports: instance.exports as KernelExports,
    state: new Int32Array(memory.buffer, LAYOUT.state, STATE_WORDS),
    wns: new Float32Array(memory.buffer, LAYOUT.wns, ZIG_LAYERS),
    listWords: new Int32Array(memory.buffer, LAYOUT.list, 4 * LAYOUT.listCapacity),
    listWeights: new Float64Array(memory.buffer, LAYOUT.list, 2 * LAYOUT.listCapacity),
  };
}

/** Which kernel instance owns an ArrayBuffer (arena memories only). */
const owners = new WeakMap<ArrayBufferLike, KernelInstance>();

export function ownerOf(buffer: ArrayBufferLike): KernelInstance | undefined {
  return owners.get(buffer);
}

/**
 * Buffers for one estimate, in one kernel memory so the kernels work on them in place. The size is fixed
 * up front (sum of everything the caller will allocate); with no WebAssembly build they are plain arrays.
 */
export class KernelArena {
  private readonly instance: KernelInstance | null;
  private top: number = LAYOUT.heap;
  private readonly bytes: number;

  constructor(bytes: number) {
    this.bytes = bytes;
    this.instance = instantiate(bytes + 64);
    if (this.instance) owners.set(this.instance.memory.buffer, this.instance);
  }

  /**
   * An arena of `bytes`, reusing a released one of the same size when there is one: a fresh
   * WebAssembly.Memory costs several times more than the same plain arrays (reservation, page faults).
   * Its buffers are NOT cleared.
   */
  static acquire(bytes: number): KernelArena {
    const free = pool.get(bytes)?.pop();
    if (!free) return new KernelArena(bytes);
    free.top = LAYOUT.heap;
    return free;
  }

  /** Hand the arena back for reuse by acquire(); none of its arrays may be used afterwards. */
  release(): void {
    if (!this.instance) return;
    const free = pool.get(this.bytes) ?? [];
    if (free.length < POOL_PER_SIZE && !free.includes(this)) free.push(this);
    pool.set(this.bytes, free);
  }

  /** Space for n float32 values plus the 16-byte alignment each allocation may need. */
  static float32Bytes(n: number): number {
    return 4 * n + 16;
  }

  static float64Bytes(n: number): number {
    return 8 * n + 16;
  }

  float32(n: number): Float32Array {
    if (!this.instance) return new Float32Array(n);
    return new Float32Array(this.instance.memory.buffer, this.take(4 * n), n);
  }

  float64(n: number): Float64Array {
    if (!this.instance) return new Float64Array(n);
    return new Float64Array(this.instance.memory.buffer, this.take(8 * n), n);
  }

  private take(bytes: number): number {
    const at = this.top;
    const end = at + ((bytes + 15) & ~15);
    if (end > LAYOUT.heap + this.bytes + 64) throw new RangeError(`kernel arena of ${this.bytes} bytes is full`);
    this.top = end;
    return at;
  }
}

/** Released arenas by size; a couple per size covers concurrent estimates without hoarding memory. */
const POOL_PER_SIZE = 2;
const pool = new Map<number, KernelArena[]>();
