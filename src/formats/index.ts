import type { Format, FormatCodec } from './types.js';
import { openAIChatCodec } from './openai-chat/index.js';
import { openAIResponsesCodec } from './openai-responses/index.js';
import { anthropicCodec } from './anthropic/index.js';
import { geminiCodec } from './gemini/index.js';

const CODECS: Record<Format, FormatCodec> = {
  'openai-chat': openAIChatCodec,
  'openai-responses': openAIResponsesCodec,
  anthropic: anthropicCodec,
  gemini: geminiCodec,
};

export function codecFor(format: Format): FormatCodec {
  return CODECS[format];
}

export type { Format, FormatCodec, SseEvent } from './types.js';
