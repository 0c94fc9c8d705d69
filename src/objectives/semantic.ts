/**
 * Semantic-distance objective for free-form questions to a vision chat model ("Which car is slower?" → target "the
 * car on the right"): f = cos(embed(answer), embed(target)), from a surrogate text-embedding model (see
 * src/embeddings: offline GloVe by default, or any OpenAI-compatible /v1/embeddings endpoint). f is 1 for an answer
 * that embeds like the target and falls as the answer drifts away in meaning.
 *
 * The offline provider averages word vectors, so it is blind to word order and weak on antonyms ("left" and
 * "right" embed close together): use it for "what is this?" answers, and a sentence-embedding endpoint for
 * questions whose answers differ by such words.
 */
import { LrsalError } from '../core/errors.js';
import { cosineSimilarity, type EmbeddingProvider, type TextEmbedding } from '../embeddings/provider.js';

/**
 * f of an answer with no known word (empty, a refusal such as "I don't know", gibberish): 0, i.e. scored as
 * orthogonal to the target — no evidence either way. Measured with the offline provider, cosines of unrelated
 * answer/class pairs have median 0.16, 5th percentile −0.12 and minimum −0.49, so 0 sits below a typical wrong
 * answer without the outlier that −1 (the cosine minimum) would add to every gradient estimate.
 */
export const UNKNOWN_ANSWER_SCORE = 0;

export interface SemanticObjectiveOptions {
  /** Overrides UNKNOWN_ANSWER_SCORE, e.g. −1 to make refusals the worst possible answer. */
  unknownScore?: number;
}

/** The target's vector; UNKNOWN_TARGET when the provider knows none of its words (it could not be scored at all). */
export async function embedTarget(target: string, provider: EmbeddingProvider, signal?: AbortSignal): Promise<Float32Array> {
  const [embedding] = await provider.embed([target], signal);
  if (!embedding?.vector) {
    const unknown = embedding?.unknown.length ? `: unknown words ${embedding.unknown.join(', ')}` : '';
    throw new LrsalError('UNKNOWN_TARGET', `the target text "${target}" has no word known to the ${provider.name} embeddings${unknown}`);
  }
  return embedding.vector;
}

/** f for an answer already embedded: cos(answer, target), or the unknown-answer score when it has no vector. Pure. */
export function semanticSimilarity(answer: TextEmbedding, target: Float32Array, options: SemanticObjectiveOptions = {}): number {
  if (answer.vector === null) return unknownScore(options);
  return cosineSimilarity(answer.vector, target);
}

/** f for one answer: embeds it with `provider` and compares it with the target's vector (see `embedTarget`). */
export async function semanticObjective(answer: string, target: Float32Array, provider: EmbeddingProvider, options: SemanticObjectiveOptions = {}, signal?: AbortSignal): Promise<number> {
  const [score] = await semanticObjectives([answer], target, provider, options, signal);
  return score!;
}

/** f for a batch of answers; each distinct answer is embedded once (chat answers repeat a lot). */
export async function semanticObjectives(answers: readonly string[], target: Float32Array, provider: EmbeddingProvider, options: SemanticObjectiveOptions = {}, signal?: AbortSignal): Promise<number[]> {
  const fallback = unknownScore(options); // validate before any remote call
  const distinct = [...new Set(answers)];
  const embeddings = await provider.embed(distinct, signal);
  if (embeddings.length !== distinct.length) {
    throw new LrsalError('REMOTE_ERROR', `${provider.name} returned ${embeddings.length} embeddings for ${distinct.length} texts`);
  }
  const scores = new Map(distinct.map((text, i) => [text, semanticSimilarity(embeddings[i]!, target, { unknownScore: fallback })]));
  return answers.map((a) => scores.get(a)!);
}

function unknownScore(options: SemanticObjectiveOptions): number {
  const value = options.unknownScore ?? UNKNOWN_ANSWER_SCORE;
  if (!(Number.isFinite(value) && value >= -1 && value <= 1)) {
    throw new LrsalError('INVALID_ARGUMENT', `unknownScore must be a number in [−1, 1], got ${value}`);
  }
  return value;
}
