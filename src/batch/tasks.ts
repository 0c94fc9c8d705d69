/**
 * The unit of work a batch hands to a worker (a thread here, or a process on another machine through
 * Redis): plain data in, plain data out, so it travels by structured clone or JSON.
 */
import { LrsalError } from '../core/errors.js';
import type { ChunkRange, ChunkSum } from '../gradients/shard-ledger.js';
import type { Classifier } from '../models/classifier.js';
import { planImage, runShard, wholeImage, type BatchExplainOptions, type PreparedImage, type WholeResult } from './image-runs.js';

/** What identifies the model: its options, and the sha256 of the ONNX file (a worker may keep it elsewhere). */
export interface ModelSpec {
  /** Path on the coordinator (workers with another layout resolve by sha256). */
  model?: string;
  sha256: string;
  labels?: string;
  preprocess?: string;
  mean?: [number, number, number];
  std?: [number, number, number];
  scale?: number;
  channelOrder?: 'RGB' | 'BGR';
  resize?: number;
  output?: string;
  scoreKind?: 'logits' | 'probabilities';
}

interface TaskBase {
  /** Image path, and its bytes when the worker may not share the coordinator's disk. */
  image: string;
  imageBytes?: Uint8Array;
  model: ModelSpec;
  options: BatchExplainOptions;
}

export type BatchTask = (TaskBase & { kind: 'plan' }) | (TaskBase & { kind: 'shard'; prepared: PreparedImage; range: ChunkRange }) | (TaskBase & { kind: 'whole' });

export interface ShardResult {
  sums: ChunkSum[];
  queries: number;
}

export type TaskResult = PreparedImage | ShardResult | WholeResult;

/** Turns a model spec into a loaded classifier (cached by the caller; single-threaded onnxruntime). */
export type ClassifierResolver = (spec: ModelSpec) => Promise<Classifier>;

export async function runTask(task: BatchTask, resolve: ClassifierResolver): Promise<TaskResult> {
  const classifier = await resolve(task.model);
  const source = task.imageBytes ? Buffer.from(task.imageBytes) : task.image;
  switch (task.kind) {
    case 'plan':
      return planImage(classifier, source, task.options);
    case 'shard':
      return runShard(classifier, source, task.options, task.prepared, task.range);
    case 'whole':
      return wholeImage(classifier, source, task.options);
    default:
      throw new LrsalError('INVALID_ARGUMENT', `unknown batch task ${(task as { kind: string }).kind}`);
  }
}
