import type { FormatCodec } from '../types.js';
import { decodeRequest } from './request-decode.js';
import { encodeRequest } from './request-encode.js';
import { decodeResponse, encodeResponse } from './response.js';
import { AnthropicStreamDecoder } from './stream-decode.js';
import { AnthropicStreamEncoder } from './stream-encode.js';

/**
 * Anthropic Messages codec (`/v1/messages`). Request extras without a canonical home travel in
 * `providerOptions.anthropic` (see options.ts); model-dependent thinking rules live in models.ts.
 */
export const anthropicCodec: FormatCodec = {
  format: 'anthropic',
  decodeRequest,
  encodeRequest,
  decodeResponse,
  encodeResponse,
  createStreamDecoder: () => new AnthropicStreamDecoder(),
  createStreamEncoder: (ctx) => new AnthropicStreamEncoder(ctx),
};

export type { AnthropicOptions } from './options.js';
export { anthropicErrorBody, anthropicErrorType } from './errors.js';
