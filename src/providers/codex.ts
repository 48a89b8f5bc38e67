import type { Executor, PrepareInput, UpstreamRequest } from './types.js';
import { joinUrl } from './types.js';
import { splitEffortSuffix } from './model-lists.js';

export const OPENAI_BASE_URL = 'https://api.openai.com/v1';

/** OpenAI Responses API with an API key (`codex-api-key`). */
export const codexExecutor: Executor = {
  kind: 'codex',
  format: 'openai-responses',
  supportsNonStream: true,
  supportsCountTokens: false,
  async prepare({ credential, body, upstreamModel, stream }: PrepareInput): Promise<UpstreamRequest> {
    const { base: model, effort } = splitEffortSuffix(upstreamModel);
    const out: Record<string, unknown> = { ...body, model };
    if (effort) out.reasoning = { ...((out.reasoning as object | undefined) ?? {}), effort };
    if (stream) out.stream = true;
    else delete out.stream;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: stream ? 'text/event-stream' : 'application/json',
    };
    if (credential.apiKey) headers.authorization = `Bearer ${credential.apiKey}`;
    Object.assign(headers, credential.headers);
    return { url: joinUrl(credential.baseUrl || OPENAI_BASE_URL, '/responses'), method: 'POST', headers, body: JSON.stringify(out) };
  },
};
