/** `lrsal explain IMAGE`: one saliency map, written as a PNG overlay and a raw .npy map. */
import { IG_PATHS } from '../methods/integrated-gradients.js';
import { Command, Option } from 'commander';
import { invalidArgument, LrsalError } from '../core/errors.js';
import { DEFAULT_CACHE_DIR } from '../models/remote/options.js';
import { DEFAULT_IG_BASELINE, DEFAULT_STABILITY, EXPLAIN_DEFAULTS, explain, type ExplainOptions, type Explanation, type GradientName } from '../explain/index.js';
import { NOISE_SHAPES } from '../gradients/noise-shapes.js';
import { BLACK_BOX_GRADIENTS } from '../gradients/registry.js';
import { CHANNEL_REDUCTIONS } from '../methods/channel-reduction.js';
import { METHODS, type MethodName } from '../methods/registry.js';
import { loadClassifier, type Classifier } from '../models/classifier.js';
import type { RemoteLabelModel, RemoteTextModel } from '../models/remote/types.js';
import { REMOTE_OBJECTIVES } from '../objectives/remote.js';
import { SCORE_OBJECTIVES } from '../objectives/scores.js';
import { addModelOptions, classifierOptions, type ModelFlags } from './model-options.js';
import { fraction, integer, positiveNumber } from './parse.js';
import { pick } from '../core/options.js';
import { progressBar } from './progress.js';
import { REMOTE_APIS, openRemote, type RemoteFlags } from './remote-explain.js';
import { prepareOutputs } from './outputs.js';
import { addPictureOptions, picturePaths, reductionForSign, writeClassSheet, writePictureOutputs, type PictureFlags, type PicturePaths } from './picture-outputs.js';
import { gracefulStop } from './signals.js';
import { mapProblems, type RunEvidence } from '../metrics/map-quality.js';
import { stabilityFlag, stabilityLine, standardErrorPaths, uncertaintyLine, writeUncertaintyOutputs } from './uncertainty-outputs.js';

/** Options taken over from explain() as they are; the ones below differ on the command line (names and text only). */
type SharedOptions = Pick<
  ExplainOptions,
  'tunnel' | 'queries' | 'seed' | 'sigma' | 'block' | 'noise' | 'tile' | 'grid' | 'survey' | 'antithetic' | 'baseline' | 'batchSize' | 'steps' | 'igPath' | 'samples' | 'noiseLevel' | 'igBaseline' | 'cells' | 'keep' | 'reduction' | 'fit' | 'topK' | 'untilStable'
>;

interface ExplainFlags extends ModelFlags, PictureFlags, SharedOptions, Omit<Partial<RemoteFlags>, 'model' | 'queries' | 'target' | 'objective'> {
  method?: MethodName;
  gradient?: GradientName;
  target?: string;
  objective?: string;
  out?: string;
  json?: boolean;
  progress?: boolean;
  strict?: boolean;
}

export function explainCommand(): Command {
  const cmd = new Command('explain')
    .description('saliency map of one image: PNG overlay + raw map (.npy)')
    .argument('<image>', 'JPEG/PNG/WebP image')
    .addOption(new Option('--method <name>', 'saliency method').choices(METHODS).default(EXPLAIN_DEFAULTS.method))
    .addOption(new Option('--tunnel <aggregate>', 'wrap the method in a noise tunnel (e.g. --method ig --tunnel smoothgrad)').choices(['smoothgrad', 'vargrad']))
    .addOption(new Option('--gradient <source>', 'gradient source: black-box estimators, or backprop (exact, for comparison)').choices([...BLACK_BOX_GRADIENTS, 'backprop']).default(EXPLAIN_DEFAULTS.gradient))
    .option('--queries <n>', 'total model queries for the map, prediction included', integer('--queries', 1), EXPLAIN_DEFAULTS.queries)
    .option('--seed <n>', 'random seed (same seed → same map)', integer('--seed', 0, 2 ** 32 - 1), EXPLAIN_DEFAULTS.seed)
    .addOption(new Option('--objective <name>', 'what f is: logit/probability/logProbability (scores); label/prompt/semantic (remote; default label or prompt)').choices([...SCORE_OBJECTIVES, ...REMOTE_OBJECTIVES]))
    .option('--target <class>', 'class to explain: index, WordNet id or name (default: top-1); several, comma-separated, share one run')
    .option('--top-k <k>', 'one map per class for the top k classes, all from the queries of one run', integer('--top-k', 1))
    .option('--sigma <s>', 'noise std in model-input units (default: ONNX models 20 grey levels for blockwise, 0.05 for lr/focused; remote 48)', positiveNumber('--sigma'))
    .option('--block <fraction>', 'blockwise: block side relative to the image', fraction('--block'))
    .addOption(new Option('--noise <shape>', 'noise shape: iid, or channel-shared (estimates the channel-summed gradient)').choices(NOISE_SHAPES))
    .option('--tile <px>', 'noise constant on px×px tiles (estimates tile means; default: lr 2, blockwise 1)', integer('--tile', 1))
    .option('--antithetic', 'query ±z pairs')
    .option('--no-baseline', 'do not subtract f(x)')
    .option('--batch-size <n>', 'queries per model call', integer('--batch-size', 1))
    .option('--steps <m>', 'IG path steps', integer('--steps', 1))
    .addOption(new Option('--ig-path <kind>', 'IG path estimate: steps (m steps, each its own estimate) or sampled (one estimate over random path points; lr, blockwise)').choices(IG_PATHS))
    .option('--samples <m>', 'SmoothGrad/VarGrad noisy copies', integer('--samples', 1))
    .option('--grid <cells>', 'focused: cells per image side (default 16)', integer('--grid', 1))
    .option('--survey <share>', 'focused: share of each estimate spent surveying the cells (default 0.2)', fraction('--survey'))
    .option('--noise-level <f>', 'SmoothGrad/VarGrad noise, fraction of the input range', positiveNumber('--noise-level'))
    .option('--ig-baseline <kind>', 'IG baseline: black, blur, blur:<σ px>, mean, expected:blur:<σ1>,<σ2>,… or an image path', DEFAULT_IG_BASELINE)
    .option('--cells <s>', 'RISE grid cells per side', integer('--cells', 1))
    .option('--keep <p>', 'RISE keep probability', fraction('--keep'))
    .addOption(new Option('--reduction <how>', 'channel reduction for the map').choices(CHANNEL_REDUCTIONS).default(EXPLAIN_DEFAULTS.reduction))
    .option('--until-stable [rho]', `stop once the maps of the two halves of the queries rank pixels alike (Spearman ≥ rho, default ${DEFAULT_STABILITY}); --queries stays the ceiling`, stabilityFlag)
    .option('--out <file.png>', 'overlay PNG (the raw map goes beside it as .npy); default out/<image>.<method>-<gradient>.png')
    .option('--json', 'print one JSON summary on stdout')
    .option('--strict', 'fail (exit 1) when the map says nothing: all zeros, constant, or unusable answers (default: a warning)')
    .option('--no-progress', 'no progress bar')
    .addOption(new Option('--api <api>', 'explain a remote black box instead of an ONNX file (--model is then the remote model name)').choices(REMOTE_APIS))
    .option('--endpoint <url>', 'remote base URL: http://host:port (vision), http://host:port/v1 (openai), the full URL (http)')
    .option('--question <text>', 'semantic objective: the question asked')
    .option('--price <p>', 'remote: price per query (for the cost estimate and --max-cost)', positiveNumber('--price'))
    .option('--max-cost <c>', 'remote: never spend more than this', positiveNumber('--max-cost'))
    .option('--yes', 'remote: do not ask before a run whose estimate exceeds --max-cost')
    .option('--no-cache', `remote: do not keep answers on disk (default: kept in ${DEFAULT_CACHE_DIR}, so a rerun pays once)`)
    .option('--cache-dir <dir>', 'remote: answer cache folder', DEFAULT_CACHE_DIR)
    .option('--concurrency <n>', 'remote: queries in flight (default 16; a kill loses at most this many answers)', integer('--concurrency', 1))
    .option('--rps <n>', 'remote: most requests per second', positiveNumber('--rps'))
    .option('--timeout <ms>', 'remote: per-request timeout', integer('--timeout', 1))
    .option('--max-response-mb <mb>', 'remote: largest answer read, in MiB (default 8)', positiveNumber('--max-response-mb'))
    .option('--max-labels <k>', 'vision: labels asked per image (default 1: the hard label; with more, the best-matching one counts)', integer('--max-labels', 1))
    .option('--embeddings <where>', 'semantic: "offline" (GloVe, shipped) or an OpenAI-compatible base URL (…/v1)', 'offline')
    .option('--embeddings-model <name>', 'semantic: embedding model at --embeddings URL')
    .option('--http-body <json>', 'http: request body template with "{{image}}"')
    .option('--http-labels <path>', 'http: dot path of the labels in the response');
  addModelOptions(cmd);
  addPictureOptions(cmd);
  return cmd.action(async (imagePath: string, flags: ExplainFlags) => {
    flags.reduction = reductionForSign(flags.sign, flags.reduction ?? EXPLAIN_DEFAULTS.reduction, cmd.getOptionValueSource('reduction') === 'cli') as ExplainFlags['reduction'];
    const bar = progressBar(flags.method ?? 'explain', flags.progress !== false && Boolean(process.stderr.isTTY));
    // First Ctrl-C / SIGTERM: let queries in flight finish (their answers are paid for and get cached), start no more.
    const stop = gracefulStop();
    // Outputs are checked (writable, not the input) before the first query; written all or none after it.
    const method = flags.method ?? EXPLAIN_DEFAULTS.method;
    const baseTag = method === 'rise' ? 'rise' : `${flags.tunnel ? `${flags.tunnel}_${method}_` : method}-${flags.gradient ?? EXPLAIN_DEFAULTS.gradient}`;
    const planned = picturePaths(imagePath, flags.out, baseTag, flags);
    let box: Classifier | RemoteLabelModel | RemoteTextModel | undefined;
    try {
      const plannedSe = standardErrorPaths(planned);
      await prepareOutputs([planned.overlay, planned.map, planned.modelMap, ...(planned.sheet ? [planned.sheet] : []), ...Object.values(plannedSe)], [imagePath]);
      let options: ExplainOptions = { ...explainOptions(flags), stopSignal: stop.signal, onProgress: (p) => bar.update(p) };
      if (flags.api) {
        if (flags.gradient === 'backprop') throw invalidArgument('--gradient backprop needs the model file; a remote black box has no gradients');
        if (flags.fit) throw invalidArgument('--fit applies to ONNX models; a remote black box is sent the centre crop');
        const remote = await openRemote({ ...flags, api: flags.api, queries: flags.queries ?? EXPLAIN_DEFAULTS.queries } as RemoteFlags);
        box = remote.model;
        options = { ...options, ...remote.options };
      } else {
        if (flags.objective && !(SCORE_OBJECTIVES as readonly string[]).includes(flags.objective)) {
          throw invalidArgument(`--objective ${flags.objective} needs a remote model (--api); score models take ${SCORE_OBJECTIVES.join(', ')}`);
        }
        const warn = (m: string) => process.stderr.write(`lrsal: warning: ${m}\n`);
        box = await loadClassifier(classifierOptions(flags, warn));
      }
      const result = await explain(box, imagePath, options);
      bar.stop();
      const tag = result.gradient === 'none' ? result.method : `${result.method}-${result.gradient}`;
      // With --top-k or several --target classes: one set of pictures per class, F.<class index>.png and so on.
      const classes = result.classes ?? [result];
      const written: Array<Awaited<ReturnType<typeof writePictureOutputs>>> = [];
      const uncertainties: Array<Awaited<ReturnType<typeof writeUncertaintyOutputs>>> = [];
      for (const one of classes) {
        const top = one.predictions.find((p) => p.index === one.target.index);
        const probability = one.probability ?? top?.probability;
        const said = one.answer !== undefined ? ` (answer "${one.answer}")` : probability !== undefined ? ` ${(probability * 100).toFixed(1)} %` : '';
        const title = `${one.target.label}${one.target.index !== undefined ? ` [${one.target.index}]` : ''}${said} — ${one.method}${one.gradient === 'none' ? '' : ` × ${one.gradient}`}, ${one.queries} queries`;
        // Several classes: per-class overlay and maps; their sheet is the one K-class sheet below.
        const { sheet: _oneSheet, ...withoutSheet } = planned;
        const paths = classes.length > 1 ? perClass(withoutSheet, one.target.index!) : planned;
        written.push(await writePictureOutputs(paths, { imagePath, image: one.image!, map: one.map, ...(one.geometry ? { geometry: one.geometry } : {}), title }, flags));
        // The map's standard error from the same queries (F.se.png, F.se.npy), or why there is none.
        uncertainties.push(await writeUncertaintyOutputs(standardErrorPaths(paths), one, { imagePath, image: one.image!, ...(one.geometry ? { geometry: one.geometry } : {}), title }, flags));
      }
      const classSheet = classes.length > 1 && planned.sheet ? await writeClassesSheet(planned.sheet, imagePath, result, flags) : undefined;
      const outputs = classSheet ? { ...written[0]!, sheet: classSheet } : written[0]!;
      const scoreModel = 'model' in box ? (box.model as { scoreKind: string; scoreKindSource?: string }) : undefined;
      const summary = {
        target: result.target,
        ...(result.answer !== undefined ? { answer: result.answer } : { predictions: result.predictions }),
        method: result.method,
        gradient: result.gradient,
        objective: result.objective,
        queries: result.queries,
        ...(result.unusableAnswers !== undefined ? { unusableAnswers: result.unusableAnswers } : {}),
        ...(result.remote ? { sent: result.sent, cacheHits: result.cacheHits, cost: result.cost, cacheErrors: result.remote.cacheErrors, cacheWriteErrors: result.remote.cacheWriteErrors } : {}),
        ...(scoreModel ? { scoreKind: scoreModel.scoreKind, scoreKindSource: scoreModel.scoreKindSource } : {}),
        queryStats: result.queryStats,
        ...uncertainties[0]!,
        ...(result.stability ? { stability: result.stability } : {}),
        ...(result.classes ? { classes: result.classes.map((c, k) => ({ target: c.target, valueAtX: c.valueAtX, ...(c.probability !== undefined ? { probability: c.probability } : {}), ...(c.directionsOf ? { directionsOf: c.directionsOf } : {}), outputs: written[k], ...uncertainties[k]! })) } : {}),
        seconds: Number(result.seconds.toFixed(3)),
        seed: result.seed,
        sigma: result.sigma,
        outputs,
        ...resultChecks(result.map, { unusableAnswers: result.unusableAnswers, queries: result.queries }, flags.strict),
      };
      if (flags.json) process.stdout.write(JSON.stringify(summary) + '\n');
      else {
        const said = result.answer !== undefined ? `the model answered "${result.answer}"` : `predicted ${result.predictions[0]!.label} (${(result.predictions[0]!.probability * 100).toFixed(1)} %)`;
        const what = result.target.index !== undefined ? `${result.target.label} [${result.target.index}]` : result.target.label;
        const paid = flags.api ? ` (${result.sent} sent, ${result.cacheHits} from cache, cost ${result.cost})` : '';
        process.stdout.write(`${said}; explained ${what} with ${tag}, ${result.queries} queries${paid} in ${result.seconds.toFixed(1)} s\nwrote ${[outputs.overlay, outputs.sheet, outputs.map].filter(Boolean).join(', ')}\n${uncertaintyLine(uncertainties[0]!)}\n${result.stability ? stabilityLine(result.stability, result.queries) + '\n' : ''}`);
      }
    } finally {
      bar.stop();
      await box?.dispose();
      stop.dispose();
    }
  });
}

/**
 * A map that says nothing (all zeros, constant; unusable answers) is a warning on stderr, or with --strict an
 * error once the outputs, already paid for, are written. Returns the warnings for the JSON summary.
 */
function resultChecks(map: Float32Array, evidence: { unusableAnswers?: number | undefined; queries?: number }, strict: boolean | undefined): { warnings?: string[] } {
  const e: RunEvidence = { ...(evidence.unusableAnswers !== undefined ? { unusableAnswers: evidence.unusableAnswers } : {}), ...(evidence.queries !== undefined ? { queries: evidence.queries } : {}) };
  const problems = mapProblems(map, e);
  if (!problems.length) return {};
  if (strict) throw new LrsalError('DEGENERATE_RESULT', `--strict: ${problems.join('; ')} (outputs written)`);
  for (const p of problems) process.stderr.write(`lrsal: warning: ${p}\n`);
  return { warnings: problems };
}

/** Every class side by side on one colour scale, each titled with its name and probability. */
function writeClassesSheet(path: string, imagePath: string, result: Explanation, flags: ExplainFlags): Promise<string> {
  const classes = result.classes!;
  // Small probabilities keep two significant digits (a top-5 class often has 0.07 %); tiny ones are bounded.
  const percent = (p: number | undefined) => {
    if (p === undefined) return '';
    const pct = p * 100;
    return ` ${pct >= 0.1 ? pct.toFixed(1) : pct >= 0.001 ? pct.toPrecision(2) : '< 0.001'} %`;
  };
  const first = classes[0]!;
  return writeClassSheet(path, {
    imagePath,
    image: first.image!,
    ...(first.geometry ? { geometry: first.geometry } : {}),
    title: `${classes.length} classes — ${first.method}${first.gradient === 'none' ? '' : ` × ${first.gradient}`}, ${first.queries} queries for all of them`,
    ...(classes[1]?.directionsOf ? { note: `focused: the directions were chosen for ${first.target.label}; the other maps are projections on them (docs/trust.md)` } : {}),
    classes: classes.map((c) => ({ map: c.map, title: `${c.target.label} [${c.target.index}]${percent(c.probability)}` })),
  }, flags);
}

/** F.png → F.<class index>.png (and the .npy, .model.npy and sheet beside it). */
function perClass(paths: PicturePaths, index: number): PicturePaths {
  const tagged = (file: string) => file.replace(/(\.sheet\.png|\.model\.npy|\.png|\.npy)$/i, `.${index}$1`);
  return { overlay: tagged(paths.overlay), map: tagged(paths.map), modelMap: tagged(paths.modelMap), ...(paths.sheet ? { sheet: tagged(paths.sheet) } : {}) };
}

function explainOptions(f: ExplainFlags): ExplainOptions {
  const o = pickOptions(f);
  // Several comma-separated classes share one run (each map as its own run would give it).
  if (typeof f.target === 'string' && f.target.includes(',')) {
    delete o.target;
    o.targets = f.target.split(',').map((t) => t.trim());
  }
  if (f.topK !== undefined) o.topK = f.topK;
  return o;
}

function pickOptions(f: ExplainFlags): ExplainOptions {
  const keys = ['method', 'gradient', 'tunnel', 'queries', 'seed', 'objective', 'target', 'sigma', 'block', 'noise', 'tile', 'grid', 'survey', 'antithetic', 'baseline', 'batchSize', 'steps', 'samples', 'noiseLevel', 'igBaseline', 'cells', 'keep', 'reduction', 'fit', 'igPath', 'untilStable'] as const;
  return pick(f, [...keys]) as ExplainOptions;
}
