import type { IncomingHttpHeaders } from 'node:http';
import type { Credential, ExecutorKind } from '../credentials/types.js';
import type { Format } from '../formats/types.js';

export type Operation = 'generate' | 'count-tokens';

export interface UpstreamRequest {
  url: string;
  method: 'POST' | 'GET';
  headers: Record<string, string>;
  body?: string;
}

export interface PrepareInput {
  credential: Credential;
  /** Request body already in this executor's wire format (pass-through or encoded from canonical). */
  body: Record<string, unknown>;
  upstreamModel: string;
  stream: boolean;
  operation: Operation;
  clientHeaders: IncomingHttpHeaders;
}

export interface Executor {
  readonly kind: ExecutorKind;
  /** Wire format the upstream speaks. */
  readonly format: Format;
  /** False when the upstream only streams (the pipeline then streams and folds the result). */
  readonly supportsNonStream: boolean;
  /** False when the upstream has no token-count endpoint (the pipeline estimates locally). */
  readonly supportsCountTokens: boolean;
  /** Build the upstream HTTP call. May refresh credentials (async). */
  prepare(input: PrepareInput): Promise<UpstreamRequest>;
}

export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path.startsWith('/') ? path : `/${path}`}`;
}

/** First value of a client header, if present. */
export function clientHeader(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}
