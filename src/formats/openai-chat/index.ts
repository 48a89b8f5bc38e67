import type { FormatCodec } from '../types.js';
import { decodeRequest } from './request-decode.js';
import { encodeRequest } from './request-encode.js';
import { decodeResponse, encodeResponse } from './response.js';
import { ChatStreamDecoder } from './stream-decode.js';
import { ChatStreamEncoder } from './stream-encode.js';

/** OpenAI Chat Completions (`/v1/chat/completions`) codec. */
export const openAIChatCodec: FormatCodec = {
  format: 'openai-chat',
  decodeRequest,
  encodeRequest,
  decodeResponse,
  encodeResponse,
  createStreamDecoder: () => new ChatStreamDecoder(),
  createStreamEncoder: (ctx) => new ChatStreamEncoder(ctx),
};

export { ChatUpstreamError } from './response.js';
export {
  completionsRequestToChat,
  chatResponseToCompletion,
  chatChunkToCompletionChunk,
  chatSseToCompletionSse,
} from './completions.js';
