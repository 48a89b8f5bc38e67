import type { FinishReason, Usage } from './response.js';
import type { ReasoningFamily } from './request.js';

/**
 * Canonical stream events. Text, reasoning and tool calls each open, carry deltas and close,
 * tied by `id`, so encoders that need block boundaries (Anthropic, Responses) get them explicitly.
 */
export type StreamEvent =
  | { type: 'message-start'; id: string; model: string; usage?: Usage }
  | { type: 'text-start'; id: string }
  /**
   * `textJson`, when a decoder has it for free: `text` as a JSON string literal (quotes included), taken from
   * the upstream's bytes so an encoder can write it without escaping the text again. Whoever changes `text`
   * must drop it.
   */
  | { type: 'text-delta'; id: string; text: string; textJson?: string }
  | { type: 'text-end'; id: string }
  | { type: 'reasoning-start'; id: string; family?: ReasoningFamily; redactedData?: string }
  | { type: 'reasoning-delta'; id: string; text: string }
  | { type: 'reasoning-signature'; id: string; signature: string }
  | { type: 'reasoning-end'; id: string }
  | { type: 'tool-call-start'; id: string; name: string; signature?: string }
  | { type: 'tool-call-delta'; id: string; argumentsDelta: string }
  | { type: 'tool-call-end'; id: string }
  | { type: 'usage'; usage: Usage }
  | { type: 'finish'; reason: FinishReason; rawReason?: string; usage?: Usage }
  | { type: 'error'; error: StreamError };

export interface StreamError {
  message: string;
  /** HTTP-like status when known (e.g. 429, 500). */
  status?: number;
  /** Provider error type/code when known (e.g. `overloaded_error`). */
  code?: string;
}
