import type { Format, SseEvent } from './types.js';
import { openAIErrorBody } from './openai-chat/errors.js';
import { anthropicErrorType } from './anthropic/errors.js';
import { geminiErrorBody } from './gemini/errors.js';

/** The SSE event that ends a caller's stream with an error, in the caller's format (used on pass-through paths). */
export function streamErrorEvent(format: Format, status: number, message: string): SseEvent {
  switch (format) {
    case 'openai-chat':
      return { data: JSON.stringify(openAIErrorBody(status, message)) };
    case 'openai-responses':
      return {
        event: 'error',
        data: JSON.stringify({ type: 'error', code: status >= 500 ? 'server_error' : 'invalid_request_error', message, param: null, sequence_number: 0 }),
      };
    case 'anthropic':
      return { event: 'error', data: JSON.stringify({ type: 'error', error: { type: anthropicErrorType(status), message } }) };
    case 'gemini':
      return { data: JSON.stringify(geminiErrorBody(status, message)) };
  }
}
