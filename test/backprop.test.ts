/**
 * Exact input gradients (src/backprop): the generated forward pass must reproduce onnxruntime's logits on the
 * unmodified model, and gradients must match central finite differences of that reference model along the
 * gradient itself and along a random direction, for every objective.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { makeTestModels, type TestModel } from '../scripts/make-test-models.js';
import { LrsalError } from '../src/core/errors.js';
import { loadDifferentiableModel, objectiveValue, type BackpropObjective } from '../src/models/differentiable-onnx.js';
import { DataType, encodeModel } from '../src/backprop/onnx-proto.js';
import { missingShared } from './helpers/files.js';
import { centralDifference, dot, maxAbsDifference, norm, randomNormal, referenceLogits, unit } from './backprop-helpers.js';

const OBJECTIVES: readonly BackpropObjective[] = ['logit', 'logProbability', 'probability'];
const workDir = mkdtempSync(join(tmpdir(), 'lrsal-backprop-'));
after(() => rmSync(workDir, { recursive: true, force: true }));

interface Case {
  readonly path: string;
  /** Standard deviation of the random test input and the finite-difference step. */
  readonly inputScale: number;
  readonly step: number;
  readonly target: number;
}

/** Checks forward agreement and finite differences for all objectives on one model file. */
async function checkModel(t: { diagnostic: (message: string) => void }, c: Case): Promise<void> {
  const model = await loadDifferentiableModel(c.path);
  const inputDims = [1, ...model.inputShape];
  const reference = await referenceLogits(readFileSync(c.path), model.logitsName, inputDims);
  try {
    const size = inputDims.reduce((a, b) => a * b, 1);
    const x = randomNormal(size, 7).map((v) => v * c.inputScale);
    const expectedLogits = await reference.logits(x);
    const randomDirection = unit(randomNormal(size, 11));
    for (const objective of OBJECTIVES) {
      const { value, gradient, logits } = await model.gradient(x, c.target, objective);
      const forwardError = maxAbsDifference(logits, expectedLogits);
      const scale = Math.max(1, ...Array.from(expectedLogits, Math.abs));
      assert.ok(forwardError <= 1e-5 * scale, `${objective}: forward max abs difference ${forwardError}`);
      assert.ok(Math.abs(value - objectiveValue(expectedLogits, c.target, objective)) <= 1e-5 * scale);

      const gradientNorm = norm(gradient);
      assert.ok(gradientNorm > 0, `${objective}: gradient is zero`);
      const alongGradient = await centralDifference(reference.logits, x, unit(gradient), c.step, c.target, objective);
      const relativeError = Math.abs(alongGradient - gradientNorm) / gradientNorm;
      const alongRandom = await centralDifference(reference.logits, x, randomDirection, c.step, c.target, objective);
      const randomError = Math.abs(alongRandom - dot(gradient, randomDirection)) / gradientNorm;
      t.diagnostic(`${objective}: forward max|Δ| ${forwardError.toExponential(1)}, FD along ∇ rel err ${relativeError.toExponential(1)}, `
        + `FD along random dir err/|∇| ${randomError.toExponential(1)} (g·d/|∇| ${(dot(gradient, randomDirection) / gradientNorm).toExponential(1)})`);
      assert.ok(relativeError < 1e-2, `${objective}: finite difference along the gradient is off by ${relativeError}`);
      const randomTolerance = 0.1 * Math.abs(dot(gradient, randomDirection)) / gradientNorm + 5e-4;
      assert.ok(randomError < randomTolerance, `${objective}: finite difference along a random direction is off by ${randomError}·|∇|`);
    }
  } finally {
    await reference.release();
    await model.dispose();
  }
}

function writeModel(model: TestModel): string {
  const path = join(workDir, `${model.name}.onnx`);
  writeFileSync(path, model.bytes);
  return path;
}

describe('backprop on generated random-weight models', () => {
  for (const model of makeTestModels()) {
    it(`${model.name}: matches onnxruntime and finite differences`, async (t) => {
      await checkModel(t, { path: writeModel(model), inputScale: 1, step: 1e-2, target: 3 });
    });
  }
});

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const squeezenet = join(repoRoot, 'models', 'squeezenet1.1-fp32.onnx');
const mobilenetV3 = join(repoRoot, '..', 'shared', 'assets', 'models', 'mobilenet-v3-small-1.0-224-dequant-fp32.onnx');

describe('backprop on bundled ImageNet models', () => {
  it('squeezenet 1.1: matches onnxruntime and finite differences', { skip: !existsSync(squeezenet) }, async (t) => {
    // Inputs are mean-subtracted 0..255 pixels, so the scale is tens of units.
    await checkModel(t, { path: squeezenet, inputScale: 50, step: 0.5, target: 281 });
  });

  it('mobilenet v3 small (shared assets, HardSwish/Mul): matches finite differences', { skip: missingShared(mobilenetV3) }, async (t) => {
    await checkModel(t, { path: mobilenetV3, inputScale: 1, step: 1e-2, target: 281 });
  });

  it('squeezenet 1.1: uses the logits behind the softmax and reports the model input shape', { skip: !existsSync(squeezenet) }, async () => {
    const model = await loadDifferentiableModel(squeezenet);
    try {
      assert.deepEqual(model.inputShape, [3, 224, 224]);
      assert.equal(model.classCount, 1000);
      assert.equal(model.logitsName, 'pool10_1');
    } finally {
      await model.dispose();
    }
  });
});

describe('backprop test power', () => {
  it('the finite-difference check rejects the gradient of a different class', async () => {
    const [first] = makeTestModels();
    const path = writeModel(first!);
    const model = await loadDifferentiableModel(path);
    const reference = await referenceLogits(readFileSync(path), model.logitsName, [1, ...model.inputShape]);
    try {
      const x = randomNormal(3 * 32 * 32, 7);
      const wrong = (await model.gradient(x, 4, 'logit')).gradient;
      const along = await centralDifference(reference.logits, x, unit(wrong), 1e-2, 3, 'logit');
      assert.ok(Math.abs(along - norm(wrong)) / norm(wrong) > 0.1);
    } finally {
      await reference.release();
      await model.dispose();
    }
  });
});

describe('backprop errors', () => {
  it('names an unsupported operator', async () => {
    const path = join(workDir, 'unsupported.onnx');
    writeFileSync(path, encodeModel({
      irVersion: 8,
      opsets: [{ domain: '', version: 13 }],
      graph: {
        name: 'g',
        nodes: [
          { opType: 'Selu', domain: '', name: 'selu', inputs: ['x'], outputs: ['h'], attributes: [] },
          { opType: 'Flatten', domain: '', name: 'flat', inputs: ['h'], outputs: ['y'], attributes: [] },
        ],
        initializers: [],
        inputs: [{ name: 'x', elemType: DataType.FLOAT, shape: [1, 2, 2, 2] }],
        outputs: [{ name: 'y', elemType: DataType.FLOAT, shape: [1, 8] }],
      },
    }));
    await assert.rejects(loadDifferentiableModel(path), (error: unknown) =>
      error instanceof LrsalError && error.code === 'UNSUPPORTED' && /Selu/.test(error.message));
  });

  it('rejects a bad target and a wrongly sized input', async () => {
    const [first] = makeTestModels();
    const model = await loadDifferentiableModel(writeModel(first!));
    try {
      const x = new Float32Array(3 * 32 * 32);
      await assert.rejects(model.gradient(x, 10, 'logit'), (e: unknown) => e instanceof LrsalError && e.code === 'UNKNOWN_TARGET');
      await assert.rejects(model.gradient(x.subarray(1), 0, 'logit'), (e: unknown) => e instanceof LrsalError && e.code === 'INVALID_ARGUMENT');
    } finally {
      await model.dispose();
    }
  });

  it('reports a missing file', async () => {
    await assert.rejects(loadDifferentiableModel(join(workDir, 'missing.onnx')), (e: unknown) => e instanceof LrsalError && e.code === 'FILE_NOT_FOUND');
  });
});
