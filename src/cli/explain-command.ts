/** `lrsal explain IMAGE`: one saliency map, written as a PNG overlay and a raw .npy map. */
import { Command, Option } from 'commander';
import { invalidArgument } from '../core/errors.js';
import { DEFAULT_CACHE_DIR } from '../models/remote/options.js';
import { DEFAULT_IG_BASELINE, EXPLAIN_DEFAULTS, explain, type ExplainOptions } from '../explain.js';
import { NOISE_SHAPES } from '../gradients/noise-shapes.js';
import { BLACK_BOX_GRADIENTS } from '../gradients/registry.js';
import { CHANNEL_REDUCTIONS } from '../methods/channel-reduction.js';
import { METHODS } from '../methods/registry.js';
import { loadClassifier } from '../models/classifier.js';
import { REMOTE_OBJECTIVES } from '../objectives/remote.js';
import { SCORE_OBJECTIVES } from '../objectives/scores.js';
import { addModelOptions, classifierOptions, type ModelFlags } from './model-options.js';
import { fraction, integer, positiveNumber } from './parse.js';
import { pick } from '../core/options.js';
import { progressBar } from './progress.js';
import { REMOTE_APIS, runRemoteExplain, type RemoteFlags } from './remote-explain.js';
import type { RemoteExplainOptions } from '../remote-explain.js';
import { addPictureOptions, reductionForSign, writePictureOutputs, type PictureFlags } from './picture-outputs.js';

interface ExplainFlags extends ModelFlags, PictureFlags, Omit<ExplainOptions, 'onProgress' | 'signal' | 'objective'>, Omit<Partial<RemoteFlags>, 'model' | 'queries' | 'target'> {
  objective?: string;
  out?: string;
  json?: boolean;
  progress?: boolean;
}

export function explainCommand(): Command {
  const cmd = new Command('explain')
    .description('saliency map of one image: PNG overlay + raw map (.npy)')
    .argument('<image>', 'JPEG/PNG/WebP image')
    .addOption(new Option('--method <name>', 'saliency method').choices(METHODS).default(EXPLAIN_DEFAULTS.method))
    .addOption(new Option('--gradient <source>', 'gradient source: black-box estimators, or backprop (exact, for comparison)').choices([...BLACK_BOX_GRADIENTS, 'backprop']).default(EXPLAIN_DEFAULTS.gradient))
    .option('--queries <n>', 'total model queries for the map, prediction included', integer('--queries', 1), EXPLAIN_DEFAULTS.queries)
    .option('--seed <n>', 'random seed (same seed → same map)', integer('--seed', 0), EXPLAIN_DEFAULTS.seed)
    .addOption(new Option('--objective <name>', 'what f is: logit/probability/logProbability (scores); label/prompt/semantic (remote; default label or prompt)').choices([...SCORE_OBJECTIVES, ...REMOTE_OBJECTIVES]))
    .option('--target <class>', 'class to explain: index, WordNet id or name (default: top-1)')
    .option('--sigma <s>', 'noise std in model-input units (default: 0.05 grey levels)', positiveNumber('--sigma'))
    .option('--block <fraction>', 'blockwise: block side relative to the image', fraction('--block'))
    .addOption(new Option('--noise <shape>', 'noise shape: iid, or channel-shared (estimates the channel-summed gradient)').choices(NOISE_SHAPES))
    .option('--tile <px>', 'noise constant on px×px tiles (estimates tile means; default: lr 2, blockwise 1)', integer('--tile', 1))
    .option('--antithetic', 'query ±z pairs')
    .option('--no-baseline', 'do not subtract f(x)')
    .option('--batch-size <n>', 'queries per model call', integer('--batch-size', 1))
    .option('--steps <m>', 'IG path steps', integer('--steps', 1))
    .option('--samples <m>', 'SmoothGrad/VarGrad noisy copies', integer('--samples', 1))
    .option('--grid <cells>', 'focused: cells per image side (default 16)', integer('--grid', 1))
    .option('--survey <share>', 'focused: share of each estimate spent surveying the cells (default 0.2)', fraction('--survey'))
    .option('--noise-level <f>', 'SmoothGrad/VarGrad noise, fraction of the input range', positiveNumber('--noise-level'))
    .option('--ig-baseline <kind>', 'IG baseline: black, blur or an image path', DEFAULT_IG_BASELINE)
    .option('--cells <s>', 'RISE grid cells per side', integer('--cells', 1))
    .option('--keep <p>', 'RISE keep probability', fraction('--keep'))
    .addOption(new Option('--reduction <how>', 'channel reduction for the map').choices(CHANNEL_REDUCTIONS).default(EXPLAIN_DEFAULTS.reduction))
    .option('--out <file.png>', 'overlay PNG (the raw map goes beside it as .npy); default out/<image>.<method>-<gradient>.png')
    .option('--json', 'print one JSON summary on stdout')
    .option('--no-progress', 'no progress bar')
    .addOption(new Option('--api <api>', 'explain a remote black box instead of an ONNX file (--model is then the remote model name)').choices(REMOTE_APIS))
    .option('--endpoint <url>', 'remote base URL: http://host:port (vision), http://host:port/v1 (openai), the full URL (http)')
    .option('--question <text>', 'semantic objective: the question asked')
    .option('--price <p>', 'remote: price per query (for the cost estimate and --max-cost)', positiveNumber('--price'))
    .option('--max-cost <c>', 'remote: never spend more than this', positiveNumber('--max-cost'))
    .option('--yes', 'remote: do not ask before a run whose estimate exceeds --max-cost')
    .option('--no-cache', `remote: do not keep answers on disk (default: kept in ${DEFAULT_CACHE_DIR}, so a rerun pays once)`)
    .option('--cache-dir <dir>', 'remote: answer cache folder', DEFAULT_CACHE_DIR)
    .option('--concurrency <n>', 'remote: requests in flight', integer('--concurrency', 1))
    .option('--rps <n>', 'remote: most requests per second', positiveNumber('--rps'))
    .option('--timeout <ms>', 'remote: per-request timeout', integer('--timeout', 1))
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
    const stop = new AbortController();
    const onSignal = () => {
      if (stop.signal.aborted) process.exit(130);
      process.stderr.write('\nlrsal: stopping after the queries in flight (again to quit at once)\n');
      stop.abort();
    };
    process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
    try {
      if (flags.api) {
        if (flags.gradient === 'backprop') throw invalidArgument('--gradient backprop needs the model file; a remote black box has no gradients');
        if (flags.fit) throw invalidArgument('--fit applies to ONNX models; a remote black box is sent the centre crop');
        const { objective: _objective, target: _target, ...rest } = explainOptions(flags);
        const remoteFlags = { ...flags, api: flags.api, queries: flags.queries ?? EXPLAIN_DEFAULTS.queries } as RemoteFlags;
        const r = await runRemoteExplain(imagePath, remoteFlags, { ...rest, stopSignal: stop.signal } as Omit<RemoteExplainOptions, 'target'>, bar);
        bar.stop();
        const tag = `${r.method}-${r.gradient}`;
        const outputs = await writePictureOutputs({ imagePath, out: flags.out, tag, image: r.image, map: r.map, title: `${r.target.lemma ?? r.target.text} (answer "${r.answer}") — ${r.method} × ${r.gradient}, ${r.queries} queries` }, flags);
        const summary = {
          target: r.target,
          answer: r.answer,
          method: r.method,
          gradient: r.gradient,
          objective: r.objective,
          queries: r.queries,
          cost: r.stats.cost,
          cacheHits: r.stats.cacheHits,
          sent: r.stats.sent,
          seconds: Number(r.seconds.toFixed(3)),
          seed: r.seed,
          sigma: r.sigma,
          outputs,
        };
        if (flags.json) process.stdout.write(JSON.stringify(summary) + '\n');
        else {
          process.stdout.write(
            `the model answered "${r.answer}"; explained ${r.target.lemma ?? r.target.text} with ${tag}, ${r.queries} queries ` +
              `(${r.stats.sent} sent, ${r.stats.cacheHits} from cache, cost ${r.stats.cost}) in ${r.seconds.toFixed(1)} s\n` +
              `wrote ${outputs.overlay} and ${outputs.map}\n`,
          );
        }
        return;
      }
      if (flags.objective && !(SCORE_OBJECTIVES as readonly string[]).includes(flags.objective)) {
        throw invalidArgument(`--objective ${flags.objective} needs a remote model (--api); score models take ${SCORE_OBJECTIVES.join(', ')}`);
      }
      const warn = (m: string) => process.stderr.write(`lrsal: warning: ${m}\n`);
      const classifier = await loadClassifier(classifierOptions(flags, warn));
      try {
        const result = await explain(classifier, imagePath, { ...explainOptions(flags), stopSignal: stop.signal, onProgress: (p) => bar.update(p) });
        bar.stop();
        const tag = result.gradient === 'none' ? result.method : `${result.method}-${result.gradient}`;
        const top = result.predictions.find((p) => p.index === result.target.index);
        const title = `${result.target.label} [${result.target.index}]${top ? ` ${(top.probability * 100).toFixed(1)} %` : ''} — ${result.method}${result.gradient === 'none' ? '' : ` × ${result.gradient}`}, ${result.queries} queries`;
        const outputs = await writePictureOutputs({ imagePath, out: flags.out, tag, image: result.image, map: result.map, geometry: result.geometry, title }, flags);
        const summary = {
          target: result.target,
          method: result.method,
          gradient: result.gradient,
          objective: result.objective,
          queries: result.queries,
          seconds: Number(result.seconds.toFixed(3)),
          seed: result.seed,
          sigma: result.sigma,
          predictions: result.predictions,
          outputs,
        };
        if (flags.json) process.stdout.write(JSON.stringify(summary) + '\n');
        else {
          const top = result.predictions[0]!;
          process.stdout.write(
            `predicted ${top.label} (${(top.probability * 100).toFixed(1)} %); explained ${result.target.label} [${result.target.index}] ` +
              `with ${tag}, ${result.queries} queries in ${result.seconds.toFixed(1)} s\n` +
              `wrote ${[outputs.overlay, outputs.sheet, outputs.map].filter(Boolean).join(', ')}\n`,
          );
        }
      } finally {
        await classifier.dispose();
      }
    } finally {
      bar.stop();
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    }
  });
}

function explainOptions(f: ExplainFlags): ExplainOptions {
  const keys = ['method', 'gradient', 'queries', 'seed', 'objective', 'target', 'sigma', 'block', 'noise', 'tile', 'grid', 'survey', 'antithetic', 'baseline', 'batchSize', 'steps', 'samples', 'noiseLevel', 'igBaseline', 'cells', 'keep', 'reduction', 'fit'] as const;
  return pick(f, [...keys]) as ExplainOptions;
}
