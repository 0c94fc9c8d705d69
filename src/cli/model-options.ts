/** The options every command that loads a classifier shares. */
import { Option, type Command } from 'commander';
import type { LoadClassifierOptions } from '../models/classifier.js';
import type { PreprocessSpec } from '../models/config.js';
import { PREPROCESSING_PRESETS, type PresetName } from '../models/preprocess.js';
import { choice, integer, positiveNumber, triple } from './parse.js';

export interface ModelFlags {
  model?: string;
  labels?: string;
  preprocess?: PresetName;
  mean?: [number, number, number];
  std?: [number, number, number];
  scale?: number;
  channelOrder?: 'RGB' | 'BGR';
  resize?: number;
  output?: string;
  scoreKind?: 'logits' | 'probabilities';
  threads?: number;
}

export function addModelOptions(cmd: Command): Command {
  return cmd
    .option('--model <path>', 'ONNX model or model card (.json); default: bundled SqueezeNet 1.1')
    .option('--labels <path>', 'class labels (ImageNet JSON, JSON list, or one per line)')
    .addOption(new Option('--preprocess <preset>', 'preprocessing preset').argParser(choice('--preprocess', Object.keys(PREPROCESSING_PRESETS) as PresetName[])))
    .option('--mean <r,g,b>', 'per-channel mean (RGB order, after --scale)', triple('--mean'))
    .option('--std <r,g,b>', 'per-channel std (RGB order, after --scale)', triple('--std'))
    .option('--scale <s>', 'multiply 0..255 pixels by this first (e.g. 0.00392 for 0..1 models)', positiveNumber('--scale'))
    .addOption(new Option('--channel-order <order>', 'channel order the model expects').choices(['RGB', 'BGR']))
    .option('--resize <px>', 'shorter side before the centre crop (default crop/0.875)', integer('--resize', 1))
    .option('--output <name>', 'model output to read (default: one named like "logits", else the first)')
    .addOption(new Option('--score-kind <kind>', 'what the output holds').choices(['logits', 'probabilities']))
    .option('--threads <n>', 'onnxruntime threads (default: all cores)', integer('--threads', 1));
}

export function classifierOptions(flags: ModelFlags, warn: (m: string) => void): LoadClassifierOptions {
  const preprocess: PreprocessSpec = {
    ...(flags.preprocess ? { preset: flags.preprocess } : {}),
    ...(flags.mean ? { mean: flags.mean } : {}),
    ...(flags.std ? { std: flags.std } : {}),
    ...(flags.scale ? { scale: flags.scale } : {}),
    ...(flags.channelOrder ? { channelOrder: flags.channelOrder } : {}),
    ...(flags.resize ? { resizeShorter: flags.resize } : {}),
  };
  return {
    ...(flags.model ? { model: flags.model } : {}),
    ...(flags.labels ? { labels: flags.labels } : {}),
    ...(Object.keys(preprocess).length ? { preprocess } : {}),
    ...(flags.output ? { outputName: flags.output } : {}),
    ...(flags.scoreKind ? { scoreKind: flags.scoreKind } : {}),
    ...(flags.threads ? { threads: flags.threads } : {}),
    warn,
  };
}
