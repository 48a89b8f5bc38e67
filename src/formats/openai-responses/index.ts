/**
 * OpenAI Responses API codec (`/v1/responses`): inbound for Responses clients (Codex CLI, openai SDK,
 * coding agents) and outbound for OpenAI Responses and Codex-style upstreams.
 */
import type { FormatCodec } from '../types.js';
import { decodeRequest } from './request-decode.js';
import { encodeRequest } from './request-encode.js';
import { decodeResponse, encodeResponse } from './response.js';
import { createStreamDecoder } from './stream-decode.js';
import { createStreamEncoder } from './stream-encode.js';

export const openAIResponsesCodec: FormatCodec = {
  format: 'openai-responses',
  decodeRequest,
  encodeRequest,
  decodeResponse,
  encodeResponse,
  createStreamDecoder,
  createStreamEncoder,
};
