import type { IncomingHttpHeaders } from 'node:http';
import type { Format, SseEvent } from '../formats/types.js';
import type { Candidate } from '../router/registry.js';
import type { Executor, Operation } from '../providers/types.js';
import type { SseEventStream, UpstreamResponse } from '../upstream/send.js';

/** One inbound model call as the pipeline sees it, and what a successful upstream attempt hands back. */
export interface InboundCall {
  format: Format;
  body: Record<string, unknown>;
  /** Model as the caller named it (restored in every response). */
  model: string;
  /** Model to route (differs from `model` when a mapping rewrote it). */
  routeModel?: string;
  stream: boolean;
  operation: Operation;
  clientHeaders: IncomingHttpHeaders;
  /** Gemini `alt`: SSE framing (default) or a JSON array stream. */
  geminiAlt?: 'sse' | 'json';
  /** Extra response headers (e.g. X-CLIProxy-Route). */
  responseHeaders?: Record<string, string>;
  requestId: string;
  /** Adapter for legacy `/v1/completions` (chat answers reshaped). */
  transformJson?: (body: Record<string, unknown>) => Record<string, unknown>;
  transformChunk?: (ev: SseEvent) => SseEvent | undefined;
}

/** What a successful attempt hands to the responder. */
export interface Success {
  candidate: Candidate;
  executor: Executor;
  upstream: UpstreamResponse;
  upstreamStream: boolean;
  /**
   * Stream path: events already read while checking the stream is not empty or an immediate error. `view`: the
   * events' text is a latin1 view of the upstream's bytes (one character per byte), edited in place (model
   * names) and written back as latin1, so a same-format stream's bytes reach the caller with no UTF-8 decoding
   * and re-encoding on the way.
   */
  primed?: { first: SseEvent[]; rest: SseEventStream; view?: boolean };
  /** Non-stream path: the parsed body. */
  json?: Record<string, unknown>;
  jsonText?: string;
  /**
   * Non-stream same-format answers: the upstream's bytes as a latin1 string (one character per byte), edited in
   * place (model names) and written back as latin1, so the bytes reach the caller exactly as they came with no
   * UTF-8 decoding and re-encoding on the way. Set instead of `jsonText`.
   */
  jsonBytes?: string;
}
