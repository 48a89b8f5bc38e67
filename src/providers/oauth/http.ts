import { request } from 'undici';
import { dispatcherFor } from '../../upstream/dispatcher.js';

/** A failed OAuth / account call. `permanent` means retrying cannot help (revoked or expired refresh token). */
export class OAuthError extends Error {
  constructor(
    message: string,
    readonly status = 0,
    readonly code?: string,
    readonly permanent = false,
  ) {
    super(message);
    this.name = 'OAuthError';
  }
}

export interface CallOptions {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** Sent as application/x-www-form-urlencoded. */
  form?: Record<string, string>;
  /** Sent as application/json. */
  json?: unknown;
  proxyUrl?: string;
  timeoutMs?: number;
}

export interface CallResult {
  status: number;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

/** One small JSON-returning HTTP call (token endpoints, user info, project lookups). */
export async function call(url: string, opts: CallOptions = {}): Promise<CallResult> {
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  let body: string | undefined;
  if (opts.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(opts.form).toString();
  } else if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  }
  const signal = AbortSignal.timeout(opts.timeoutMs ?? 30_000);
  let res;
  try {
    res = await request(url, {
      method: opts.method ?? (body !== undefined ? 'POST' : 'GET'),
      headers,
      body,
      signal,
      dispatcher: dispatcherFor(opts.proxyUrl ?? ''),
    });
  } catch (err) {
    const e = err as { message?: string; cause?: { code?: string } };
    throw new OAuthError(`cannot reach ${hostOf(url)}: ${e.cause?.code ?? e.message ?? 'network error'}`);
  }
  const text = await res.body.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, text, json };
}

/** Throw a readable OAuthError for a non-2xx token-endpoint answer (never echoing tokens). */
export function ensureOk(res: CallResult, what: string): void {
  if (res.status >= 200 && res.status < 300) return;
  const j = (res.json ?? {}) as Record<string, unknown>;
  const errObj = j.error;
  const code = typeof errObj === 'string' ? errObj : typeof (errObj as { code?: unknown })?.code === 'string' ? String((errObj as { code: string }).code) : undefined;
  const desc =
    typeof j.error_description === 'string'
      ? j.error_description
      : typeof (errObj as { message?: unknown })?.message === 'string'
        ? String((errObj as { message: string }).message)
        : typeof j.message === 'string'
          ? j.message
          : res.text.slice(0, 200);
  const permanent = code === 'invalid_grant' || code === 'invalid_client' || code === 'unauthorized_client' || code === 'refresh_token_expired' || code === 'refresh_token_reused';
  throw new OAuthError(`${what} failed: HTTP ${res.status}${code ? ` ${code}` : ''}${desc ? ` (${desc})` : ''}`, res.status, code, permanent);
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** Decode a JWT's claims without verifying (the token came straight from the issuer over TLS). */
export function jwtClaims(token: string | undefined): Record<string, unknown> {
  if (!token) return {};
  const part = token.split('.')[1];
  if (!part) return {};
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}
