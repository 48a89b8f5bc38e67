import type { CanonicalRequest, CanonicalResponse, StreamEvent } from '../ir/index.js';

/** The four wire formats cliproxy speaks, inbound and upstream. */
export type Format = 'openai-chat' | 'openai-responses' | 'anthropic' | 'gemini';

export const FORMATS: readonly Format[] = ['openai-chat', 'openai-responses', 'anthropic', 'gemini'];

/** One Server-Sent Event as framed on the wire (`event:` optional). */
export interface SseEvent {
  event?: string;
  data: string;
  /**
   * Set only on a same-format stream's raw pass-through (see SseEventStream's `raw` mode): `data` is already
   * framed upstream text (whole lines, any number of events), written as it is.
   */
  raw?: true;
}

export interface EncodeContext {
  /** Model name to report to the caller (what it asked for). */
  model: string;
  /** Whether the caller asked for usage in the stream (OpenAI `stream_options.include_usage`). */
  includeUsage?: boolean;
  /** Original canonical request (for encoders that echo request settings, e.g. Responses). */
  request?: CanonicalRequest;
}

/** Thrown by decoders for input that is well-formed JSON but not a valid request of the format. */
export class InvalidRequestError extends Error {
  constructor(message: string, readonly param?: string) {
    super(message);
    this.name = 'InvalidRequestError';
  }
}

/** Stateful decoder of one upstream SSE stream into canonical events. */
export interface StreamDecoder {
  /** Feed one upstream SSE event; returns zero or more canonical events. */
  push(event: SseEvent): StreamEvent[];
  /** Upstream stream ended; returns closing events (e.g. a synthesized finish). */
  end(): StreamEvent[];
}

/** Stateful encoder of canonical events into the caller's SSE events. */
export interface StreamEncoder {
  push(event: StreamEvent): SseEvent[];
  /** Canonical stream ended; returns trailing events (e.g. `[DONE]`, closing blocks). */
  end(): SseEvent[];
}

export interface FormatCodec {
  readonly format: Format;
  /** Decode a parsed request body (object) into the canonical request. Throws InvalidRequestError. */
  decodeRequest(body: Record<string, unknown>): CanonicalRequest;
  /** Encode a canonical request as this format's request body, addressed to `model`. */
  encodeRequest(request: CanonicalRequest, model: string): Record<string, unknown>;
  /** Decode a non-stream response body. */
  decodeResponse(body: Record<string, unknown>): CanonicalResponse;
  /** Encode a canonical response as this format's non-stream response body. */
  encodeResponse(response: CanonicalResponse, ctx: EncodeContext): Record<string, unknown>;
  createStreamDecoder(): StreamDecoder;
  createStreamEncoder(ctx: EncodeContext): StreamEncoder;
}
