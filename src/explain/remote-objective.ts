/**
 * f for a remote model from the target the user named: a WordNet class for the label and prompt objectives
 * (ambiguous words lean to the ImageNet classes), or a target answer for the semantic objective.
 */
import { join } from 'node:path';
import { invalidArgument } from '../core/errors.js';
import { offlineEmbeddings } from '../embeddings/offline.js';
import { packageRoot } from '../models/config.js';
import { loadLabels } from '../models/labels.js';
import type { LabelModel, TextModel } from '../models/remote/types.js';
import { labelFunction, promptFunction, resolveTargetSynset, semanticFunction, type AnsweringFunction, type RemoteObjective } from '../objectives/remote.js';
import { embedTarget } from '../objectives/semantic.js';
import { classSynsets } from '../wordnet/label-resolution.js';
import { loadWordNet, type Synset } from '../wordnet/graph.js';
import type { ExplainedTarget } from './black-box.js';
import { DEFAULT_QUESTION, type ExplainOptions } from './options.js';

let imagenetClasses: Synset[] | undefined;
async function defaultClasses(): Promise<Synset[]> {
  imagenetClasses ??= classSynsets(loadWordNet(), (await loadLabels(join(packageRoot(), 'models', 'imagenet-classes.json'))).map((l) => l.wnid));
  return imagenetClasses;
}

export async function remoteObjective(
  model: LabelModel | TextModel,
  objective: RemoteObjective,
  text: string,
  o: Pick<ExplainOptions, 'classes' | 'question' | 'embeddings'>,
): Promise<{ answering: AnsweringFunction; target: ExplainedTarget }> {
  if (objective === 'semantic') {
    if (model.kind !== 'text') throw invalidArgument('the semantic objective needs a chat model (--api openai)');
    const provider = o.embeddings ?? offlineEmbeddings();
    return { answering: semanticFunction(model, o.question ?? DEFAULT_QUESTION, await embedTarget(text, provider), provider), target: { label: text, text } };
  }
  const classes = o.classes ?? (await defaultClasses());
  const synset = resolveTargetSynset(text, classes);
  const target = { label: synset.lemmas[0]!, wnid: synset.wnid, text };
  if (objective === 'label') {
    if (model.kind !== 'labels') throw invalidArgument('the label objective needs a label API (--api vision or http)');
    return { answering: labelFunction(model, synset, classes), target };
  }
  if (model.kind !== 'text') throw invalidArgument('the prompt objective needs a chat model (--api openai)');
  return { answering: promptFunction(model, synset, classes), target };
}
