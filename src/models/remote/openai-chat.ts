/**
 * An OpenAI-compatible vision chat model (OpenAI, vLLM, llama.cpp server, Ollama, `lrsal serve-model --api
 * openai`) through the `openai` client: one chat completion per image, the image sent as a
 * `data:image/png;base64,...` URL next to the prompt in one user message. Retries are ours (retry.ts) so all
 * adapters behave alike; the client's own are off. The API key is read from an environment variable and
 * never printed.
 */
import OpenAI from 'openai';
import { z } from 'zod';
import { checkEndpoint } from './endpoint.js';
import { guardedFetch } from './guarded-fetch.js';
import { displayUrl, trimBase } from './http.js';
import { apiKeyFromEnv, resolveRemoteOptions, type RemoteOptions } from './options.js';
import { inputsToPngs } from './png.js';
import { RemoteQueries, type RemoteProtocol } from './remote-queries.js';
import { AttemptFailure } from './retry.js';
import type { RemoteTextModel } from './types.js';
import { classifyOpenAiError } from './openai-errors.js';

export const DEFAULT_OPENAI_ENDPOINT = 'https://api.openai.com/v1';

export interface OpenAiChatOptions extends RemoteOptions {
  /** Base URL including /v1, e.g. http://127.0.0.1:8000/v1 (default https://api.openai.com/v1). */
  endpoint?: string;
  /** Model name sent with each request. */
  model: string;
  /** Environment variable with the API key (default OPENAI_API_KEY). Local servers accept any key; "none" is sent if unset. */
  apiKeyEnv?: string;
  /** max_tokens of each answer (default 50: enough for a class name). */
  maxTokens?: number;
  /** Sampling temperature (default 0: the most repeatable answers, which the cache assumes). */
  temperature?: number;
}

export function openAiChatModel(options: OpenAiChatOptions): RemoteTextModel {
  const o = resolveRemoteOptions(options);
  const baseURL = trimBase(checkEndpoint(options.endpoint ?? DEFAULT_OPENAI_ENDPOINT));
  const endpoint = displayUrl(`${baseURL}/chat/completions`);
  const isOpenAi = /(^|\.)openai\.com$/.test(new URL(baseURL).hostname);
  const apiKey = apiKeyFromEnv(options.apiKeyEnv ?? 'OPENAI_API_KEY', isOpenAi) ?? 'none';
  // Timeouts come from our per-attempt signal; the client's own timeout is a generous backstop.
  const client = new OpenAI({ apiKey, baseURL, maxRetries: 0, timeout: o.timeoutMs * 2, fetch: guardedFetch(o.maxResponseBytes) });
  const maxTokens = options.maxTokens ?? 50;
  const temperature = options.temperature ?? 0;
  const queries = new RemoteQueries(o);

  const protocolFor = (prompt: string): RemoteProtocol<string> => ({
    identity: JSON.stringify({ api: 'openai-chat', endpoint, model: options.model, prompt, maxTokens, temperature }),
    what: `POST ${endpoint}`,
    imagesPerRequest: 1,
    answerSchema: z.string(),
    async send(images, signal) {
      const url = `data:image/png;base64,${images[0]!.toString('base64')}`;
      let completion: unknown;
      try {
        completion = await client.chat.completions.create(
          {
            model: options.model,
            max_tokens: maxTokens,
            temperature,
            messages: [{ role: 'user', content: [{ type: 'text', text: prompt }, { type: 'image_url', image_url: { url } }] }],
          },
          { signal },
        );
      } catch (error) {
        throw classifyOpenAiError(error);
      }
      const content = (completion as { choices?: Array<{ message?: { content?: unknown } }> })?.choices?.[0]?.message?.content;
      if (typeof content !== 'string') throw new AttemptFailure('malformed', 'no choices[0].message.content string in the chat completion');
      return [content];
    },
  });

  return {
    kind: 'text',
    inputShape: o.inputShape,
    endpoint,
    concurrency: o.concurrency,
    async answer(inputs, count, prompt, signal) {
      const pngs = await inputsToPngs(inputs, count, o.inputShape);
      return queries.query(pngs, protocolFor(prompt), signal);
    },
    stats: () => queries.stats(),
    estimateCost: (n) => queries.estimateCost(n),
    async dispose() {},
  };
}
