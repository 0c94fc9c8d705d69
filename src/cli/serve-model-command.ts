/**
 * `lrsal serve-model`: put a local ONNX classifier behind a remote API (Cloud Vision labels or OpenAI chat),
 * to try the remote adapters without an account. Runs until Ctrl-C.
 */
import { Command, Option } from 'commander';
import { loadClassifier } from '../models/classifier.js';
import { startStandInServer, type StandInApi } from '../stand-in/stand-in.js';
import { addModelOptions, classifierOptions, type ModelFlags } from './model-options.js';
import { integer } from './parse.js';

interface ServeFlags extends ModelFlags {
  api: StandInApi;
  port: number;
  host: string;
}

export function serveModelCommand(): Command {
  const cmd = new Command('serve-model')
    .description('serve a local classifier as a Cloud Vision label API or an OpenAI-compatible vision chat model')
    .addOption(new Option('--api <api>', 'API to speak').choices(['vision', 'openai']).default('vision'))
    .option('--port <n>', 'port (0 = any free port)', integer('--port', 0, 65535), 8080)
    .option('--host <host>', 'interface to listen on', '127.0.0.1');
  addModelOptions(cmd);
  return cmd.action(async (flags: ServeFlags) => {
    const warn = (m: string) => process.stderr.write(`lrsal: warning: ${m}\n`);
    const classifier = await loadClassifier(classifierOptions(flags, warn));
    let server;
    try {
      server = await startStandInServer({ classifier, api: flags.api, port: flags.port, host: flags.host });
    } catch (error) {
      await classifier.dispose();
      throw error;
    }
    const how =
      flags.api === 'vision'
        ? `Cloud Vision labels: POST ${server.url}/v1/images:annotate (use --endpoint ${server.url})`
        : `OpenAI chat: POST ${server.url}/v1/chat/completions, any model name (use --endpoint ${server.url}/v1)`;
    process.stdout.write(`lrsal: serving ${classifier.card.name ?? classifier.card.model} as ${how}; Ctrl-C stops\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await server.close();
    await classifier.dispose();
  });
}
