/**
 * The "in this browser" page: pick a model and a photo, explain them here. Files are read with File APIs
 * and never sent anywhere; the only requests are for the page's own static files (and the bundled model).
 * `window.lrsalInBrowser` exposes the same run to the end-to-end test and the browser benchmark.
 */
import { loadWebClassifier, type WebImageSource } from '../../src/browser/classifier.js';
import { explainInBrowser } from '../../src/browser/explain-in-browser.js';
import { configureRuntime } from '../../src/browser/onnx-web.js';
import { kernelImplementation } from '../../src/core/kernels/index.js';
import type { ExplainOptions, Explanation } from '../../src/explain/index.js';
import type { Classifier } from '../../src/models/classifier.js';
import type { PresetName } from '../../src/models/preprocess.js';
import type { ScoreModel } from '../../src/models/model.js';
import { resolvePreprocessing } from '../../src/models/model-card.js';
import { toModelInput } from '../../src/models/preprocess.js';
import { blendOverlay } from '../../src/render/blend.js';

const params = new URLSearchParams(location.search);
const RUNTIME_URL = new URL('./dist/ort/', location.href).href;
const MODELS_URL = new URL(params.get('models') ?? '../../models/', location.href).href;
const runtime = configureRuntime({ runtimeUrl: RUNTIME_URL, ...(params.has('threads') ? { threads: Number(params.get('threads')) } : {}) });

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const form = $<HTMLFormElement>('form');
const modelChoice = $<HTMLSelectElement>('model-choice');
const modelFile = $<HTMLInputElement>('model-file');
const preset = $<HTMLSelectElement>('preset');
const photoInput = $<HTMLInputElement>('photo');
const runButton = $<HTMLButtonElement>('run');
const stopButton = $<HTMLButtonElement>('stop');
const progress = $<HTMLProgressElement>('progress');
const status = $<HTMLParagraphElement>('status');
const errorLine = $<HTMLParagraphElement>('error');

const classifiers = new Map<string, Promise<Classifier>>();

/** The bundled SqueezeNet (model, card and labels fetched from the app's own static files) or a local file. */
function classifierFor(choice: 'bundled' | 'file'): Promise<Classifier> {
  const file = modelFile.files?.[0];
  const key = choice === 'bundled' ? 'bundled' : `file:${file?.name}:${file?.size}:${file?.lastModified}:${preset.value}`;
  let loading = classifiers.get(key);
  if (!loading) {
    loading = choice === 'bundled' ? loadBundled() : loadLocal(file);
    classifiers.set(key, loading);
    loading.catch(() => classifiers.delete(key));
  }
  return loading;
}

async function loadBundled(): Promise<Classifier> {
  const get = async (name: string) => {
    const response = await fetch(new URL(name, MODELS_URL));
    if (!response.ok) throw new Error(`could not load the bundled ${name} (HTTP ${response.status})`);
    return response;
  };
  const [model, card, labels] = await Promise.all([get('squeezenet1.1-fp32.onnx'), get('squeezenet1.1.lrsal.json'), get('imagenet-classes.json')]);
  return loadWebClassifier({ model: new Uint8Array(await model.arrayBuffer()), name: 'squeezenet1.1-fp32.onnx', card: await card.json(), labels: await labels.text(), runtimeUrl: RUNTIME_URL });
}

async function loadLocal(file: File | undefined): Promise<Classifier> {
  if (!file) throw new Error('pick an .onnx file first');
  return loadWebClassifier({ model: new Uint8Array(await file.arrayBuffer()), name: file.name, preprocess: { preset: preset.value as PresetName }, runtimeUrl: RUNTIME_URL });
}

function draw(canvas: HTMLCanvasElement, width: number, height: number, rgb: ArrayLike<number>): void {
  canvas.width = width;
  canvas.height = height;
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let p = 0, q = 0; p < rgba.length; p += 4, q += 3) {
    rgba[p] = rgb[q]!;
    rgba[p + 1] = rgb[q + 1]!;
    rgba[p + 2] = rgb[q + 2]!;
    rgba[p + 3] = 255;
  }
  canvas.getContext('2d')!.putImageData(new ImageData(rgba, width, height), 0, 0);
}

export interface PageRun {
  model?: 'bundled' | 'file';
  /** An RGB crop already at the model's size (the Node-agreement test); default the picked photo. */
  pixels?: { width: number; height: number; data: number[] };
  options?: ExplainOptions;
}

let stopper: AbortController | undefined;

/** One explanation with the page's pictures updated as it goes. */
async function run(request: PageRun = {}): Promise<Explanation> {
  const photo: WebImageSource | undefined = request.pixels ? { ...request.pixels, data: Uint8Array.from(request.pixels.data) } : photoInput.files?.[0];
  if (!photo) throw new Error('pick a photo first');
  const choice = request.model ?? (modelChoice.value as 'bundled' | 'file');
  status.textContent = 'Loading the model…';
  const classifier = await classifierFor(choice);
  stopper = new AbortController();
  stopButton.disabled = false;
  const { height, width } = classifier.model.inputShape;
  try {
    const result = await explainInBrowser(classifier, photo, { ...request.options, stopSignal: stopper.signal }, {
      onProgress: (p) => {
        progress.max = p.budget;
        progress.value = p.spent;
        status.textContent = `${p.spent} / ${p.budget} queries`;
      },
      onPreview: (map) => {
        const canvas = $<HTMLCanvasElement>('preview-canvas');
        canvas.dataset.previews = String(Number(canvas.dataset.previews ?? 0) + 1);
        draw(canvas, width, height, blendOverlay(new Uint8Array(width * height * 3).fill(255), map));
      },
    });
    const image = result.image!;
    draw($('photo-canvas'), image.width, image.height, image.data);
    draw($('overlay-canvas'), image.width, image.height, blendOverlay(image.data, result.map));
    draw($('preview-canvas'), image.width, image.height, blendOverlay(image.data, result.map));
    $('preview-caption').textContent = 'preview → final map';
    $('overlay-caption').textContent = `${result.method} · ${result.gradient} · ${result.target.label}`;
    $('predictions').innerHTML = '';
    for (const p of result.predictions) {
      const row = $<HTMLTableElement>('predictions').insertRow();
      row.insertCell().textContent = p.label;
      row.insertCell().textContent = `${(100 * p.probability).toFixed(1)} %`;
    }
    status.textContent = `Done: ${result.queries} queries in ${result.seconds.toFixed(1)} s (${runtime.threads} thread${runtime.threads > 1 ? 's' : ''}, kernels ${kernelImplementation()}${runtime.isolated ? ', cross-origin isolated' : ''}).`;
    document.body.dataset.state = 'done';
    return result;
  } finally {
    stopButton.disabled = true;
  }
}

function formOptions(): ExplainOptions {
  return {
    method: $<HTMLSelectElement>('method').value as ExplainOptions['method'],
    gradient: $<HTMLSelectElement>('gradient').value as ExplainOptions['gradient'],
    queries: Number($<HTMLInputElement>('queries').value),
    seed: Number($<HTMLInputElement>('seed').value),
  };
}

function showError(error: unknown): void {
  errorLine.textContent = error instanceof Error ? error.message : String(error);
  document.body.dataset.state = 'error';
}

function refreshControls(): void {
  const local = modelChoice.value === 'file';
  modelFile.hidden = !local;
  preset.hidden = !local;
  runButton.disabled = !photoInput.files?.length || (local && !modelFile.files?.length);
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  errorLine.textContent = '';
  document.body.dataset.state = 'running';
  runButton.disabled = true;
  run({ options: formOptions() })
    .catch(showError)
    .finally(refreshControls);
});
stopButton.addEventListener('click', () => stopper?.abort());
for (const input of [modelChoice, modelFile, photoInput]) input.addEventListener('change', refreshControls);
photoInput.addEventListener('change', () => {
  const file = photoInput.files?.[0];
  if (file) createImageBitmap(file).then((bitmap) => {
    const canvas = $<HTMLCanvasElement>('photo-canvas');
    const side = Math.min(bitmap.width, bitmap.height);
    canvas.getContext('2d')!.drawImage(bitmap, (bitmap.width - side) / 2, (bitmap.height - side) / 2, side, side, 0, 0, canvas.width, canvas.height);
  }, showError);
});
refreshControls();
status.textContent = `Ready: pick a photo (${runtime.threads} onnxruntime thread${runtime.threads > 1 ? 's' : ''}${runtime.isolated ? ', cross-origin isolated' : ', not cross-origin isolated'}).`;

/** For the end-to-end test and `npm run bench:browser`: the same run, results as plain data. */
(window as unknown as { lrsalInBrowser: unknown }).lrsalInBrowser = {
  runtime,
  kernels: kernelImplementation,
  async explain(request: PageRun) {
    const result = await run(request);
    return { map: Array.from(result.map), queries: result.queries, seconds: result.seconds, target: result.target.index, sigma: result.sigma, image: Array.from(result.image!.data) };
  },
  /** explain() on any ScoreModel built in the page (an analytic model, to test the engine alone). */
  async explainScoreModel(model: ScoreModel, request: PageRun & { pixels: NonNullable<PageRun['pixels']> }) {
    const preprocessing = resolvePreprocessing({ preset: 'caffe' }, model.inputShape);
    const image = { ...request.pixels, data: Uint8Array.from(request.pixels.data) };
    const classifier: Classifier = {
      model,
      preprocessing,
      labels: Array.from({ length: model.classes }, (_, index) => ({ index, name: `class ${index}`, aliases: [] })),
      card: { model: 'analytic', preprocess: {} },
      prepare: async () => ({ image, input: toModelInput(preprocessing, image.data, image.height, image.width) }),
      dispose: () => model.dispose(),
    };
    const result = await explainInBrowser(classifier, image, request.options);
    return { map: Array.from(result.map), queries: result.queries };
  },
  async timeQueries(count: number, batch: number) {
    const classifier = await classifierFor('bundled');
    const { channels, height, width } = classifier.model.inputShape;
    const inputs = new Float32Array(batch * channels * height * width).fill(0.5);
    const started = performance.now();
    for (let done = 0; done < count; done += batch) await classifier.model.scores(inputs, batch);
    return (performance.now() - started) / 1000 / count;
  },
};
