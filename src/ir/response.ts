import type { AssistantPart } from './request.js';

/** Why generation stopped, unified; `raw` keeps what the provider said. */
export type FinishReason = 'stop' | 'length' | 'tool-calls' | 'content-filter' | 'error' | 'other';

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  /** Input tokens served from a prompt cache (subset of inputTokens). */
  cachedInputTokens?: number;
  /** Input tokens written to a prompt cache (Anthropic). */
  cacheWriteTokens?: number;
  /** Output tokens spent on reasoning (subset of outputTokens). */
  reasoningTokens?: number;
}

export interface CanonicalResponse {
  id: string;
  model: string;
  content: AssistantPart[];
  finishReason: FinishReason;
  rawFinishReason?: string;
  usage?: Usage;
  /** Unix seconds. */
  created: number;
}
