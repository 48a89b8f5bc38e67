import type { FormatCodec } from '../types.js';
import { decodeRequest } from './request-decode.js';
import { encodeRequest } from './request-encode.js';
import { decodeResponse, encodeResponse } from './response.js';
import { createStreamDecoder } from './stream-decode.js';
import { createStreamEncoder } from './stream-encode.js';

/** Google AI `v1beta` generateContent / streamGenerateContent. */
export const geminiCodec: FormatCodec = {
  format: 'gemini',
  decodeRequest,
  encodeRequest,
  decodeResponse,
  encodeResponse,
  createStreamDecoder,
  createStreamEncoder,
};

export { cleanSchemaForGemini } from './schema-clean.js';
export { SKIP_THOUGHT_SIGNATURE } from './wire.js';
