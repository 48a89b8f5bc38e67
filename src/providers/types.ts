import type { IncomingHttpHeaders } from 'node:http';
import type { Credential, ExecutorKind } from '../credentials/types.js';
import type { Format, SseEvent } from '../formats/types.js';

export type Operation = 'generate' | 'count-tokens';

export interface UpstreamRequest {
  url: string;
  method: 'POST' | 'GET';
  headers: Record<string, string>;
  /** JSON text, or its UTF-8 bytes when assembled from cached history (util/frozen-json.ts). */
  body?: string | Buffer;
  /** Further URLs for the same call, tried in order after a transport error or a 429 (Antigravity's base URLs). */
  fallbackUrls?: string[];
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
  /** May answer synchronously (API keys) or after async work (OAuth token refresh). */
  prepare(input: PrepareInput): UpstreamRequest | Promise<UpstreamRequest>;
  /**
   * Renew the credential's token after the upstream answered 401. Resolves true when a new token is in place
   * (the pipeline then retries the same credential once), false when this credential cannot refresh.
   */
  refresh?(credential: Credential): Promise<boolean>;
  /**
   * Map a whole non-stream upstream body before the pipeline reads it (Gemini CLI wraps answers as
   * `{"response": ...}`; the Codex ChatGPT backend answers only in SSE, folded here into its final response).
   */
  unwrapBody?(text: string): string;
  /** Map each upstream SSE event before the pipeline reads it; undefined drops the event. */
  unwrapEvent?(event: SseEvent): SseEvent | undefined;
}

// `Bearer <token>` for the same few tokens on every call: one flat string per token, not a new concatenation
// for undici to flatten and validate each time. Bounded; tokens rotate on refresh, so old ones age out.
const bearers = new Map<string, string>();

export function bearer(token: string): string {
  let v = bearers.get(token);
  if (v === undefined) {
    if (bearers.size >= 256) bearers.clear();
    bearers.set(token, (v = `Bearer ${token}`));
  }
  return v;
}

// Executors join the same (base, path) pairs on every call; handing back the same string object each time
// also lets V8 reuse its cached hash where the URL is a map key (upstream/send.ts).
const joined = new Map<string, Map<string, string>>();

export function joinUrl(base: string, path: string): string {
  let byPath = joined.get(base);
  if (!byPath) {
    if (joined.size >= 256) joined.clear();
    joined.set(base, (byPath = new Map()));
  }
  let url = byPath.get(path);
  if (url === undefined) {
    url = `${base.replace(/\/+$/, '')}${path.startsWith('/') ? path : `/${path}`}`;
    if (byPath.size >= 64) byPath.clear();
    byPath.set(path, url);
  }
  return url;
}

/** First value of a client header, if present. */
export function clientHeader(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}
