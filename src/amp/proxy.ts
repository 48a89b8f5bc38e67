import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { request, type Dispatcher } from 'undici';
import type { RequestContext } from '../server/handlers.js';
import { sendJson } from '../server/respond.js';
import { dispatcherFor, effectiveProxy } from '../upstream/dispatcher.js';
import type { AmpSecretResolver } from './secrets.js';

const gunzipAsync = promisify(gunzip);

/** Headers never forwarded in either direction (RFC 9110 hop-by-hop, plus what undici sets itself). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host', 'proxy-authorization', 'proxy-authenticate']);
/** Where a caller may carry its proxy key; replaced by the upstream secret. */
const CLIENT_KEY_HEADERS = new Set(['authorization', 'x-api-key', 'x-goog-api-key']);
/** Headers that reveal the proxy or the caller's environment to ampcode.com (SPEC 7.2). */
const SCRUBBED = new Set(['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-port', 'x-real-ip', 'forwarded', 'via', 'x-title', 'http-referer', 'referer', 'priority', 'accept-encoding']);
const SCRUBBED_PREFIXES = ['x-stainless-', 'sec-ch-ua', 'sec-fetch-'];

/** How long the upstream may take to send response headers before the caller gets a 504 instead of a hang. */
const HEADERS_TIMEOUT_MS = 60_000;

export interface ForwardInput {
  upstreamUrl: string;
  /** Body already read by a handler (model calls); otherwise the request streams through. */
  body?: Buffer;
  /** Headers to add to the answer (e.g. X-CLIProxy-Route). */
  responseHeaders?: Record<string, string>;
}

/** Request headers for the upstream: no hop-by-hop, no client key, no proxy-identifying headers. */
export function upstreamRequestHeaders(headers: IncomingHttpHeaders, secret: string | undefined, hasBufferedBody: boolean): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const k = name.toLowerCase();
    if (HOP_BY_HOP.has(k) || CLIENT_KEY_HEADERS.has(k) || SCRUBBED.has(k) || SCRUBBED_PREFIXES.some((p) => k.startsWith(p))) continue;
    if (hasBufferedBody && k === 'content-length') continue;
    out[k] = value;
  }
  if (secret) {
    out.authorization = `Bearer ${secret}`;
    out['x-api-key'] = secret;
  }
  return out;
}

/** The upstream URL for a request: upstream base path + request path, with the caller's key removed from the query. */
export function upstreamTarget(upstreamUrl: string, reqUrl: URL, isClientKey: (k: string) => boolean): URL {
  const base = new URL(upstreamUrl);
  const target = new URL(base.origin);
  target.pathname = base.pathname.replace(/\/+$/, '') + reqUrl.pathname;
  // Filter the raw query rather than re-serialising it: `?getUserInfo` must stay `?getUserInfo`, not `?getUserInfo=`.
  const kept = reqUrl.search
    .slice(1)
    .split('&')
    .filter((part) => {
      if (!part) return false;
      const eq = part.indexOf('=');
      const name = decodeQuery(eq < 0 ? part : part.slice(0, eq));
      return !((name === 'key' || name === 'auth_token') && eq >= 0 && isClientKey(decodeQuery(part.slice(eq + 1))));
    });
  target.search = kept.length ? `?${kept.join('&')}` : '';
  return target;
}

function decodeQuery(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/**
 * Reverse-proxy one request to the Amp upstream (SPEC 7.1.7 + 7.2): swaps the caller's proxy key for the
 * upstream secret, scrubs identifying headers, streams the answer back as it arrives (SSE included), decodes
 * bodies that are gzip without saying so, and answers 502 JSON when the upstream cannot be reached.
 */
export async function forwardToAmp(ctx: RequestContext, secrets: AmpSecretResolver, input: ForwardInput): Promise<void> {
  const { app } = ctx;
  const isClientKey = (k: string) => k === ctx.clientKey || app.keyRing.match(k) >= 0;
  let target: URL;
  try {
    target = upstreamTarget(input.upstreamUrl, ctx.url, isClientKey);
  } catch {
    return sendJson(ctx.res, 502, { error: 'amp_upstream_proxy_error', message: 'ampcode.upstream-url is not a valid URL' }, input.responseHeaders);
  }
  const secret = await secrets.resolve(app.config.current.ampcode, ctx.clientKey, isClientKey);
  const headers = upstreamRequestHeaders(ctx.req.headers, secret?.key, input.body !== undefined);
  const method = ctx.req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  const body: Buffer | Readable | undefined = !hasBody ? undefined : (input.body ?? ctx.req);

  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), HEADERS_TIMEOUT_MS);
  const signal = AbortSignal.any([ctx.signal, timeout.signal]);
  let res: Dispatcher.ResponseData;
  try {
    const dispatcher = dispatcherFor(effectiveProxy(undefined, app.config.current['proxy-url']));
    res = await request(target, { method: method as Dispatcher.HttpMethod, headers, body, dispatcher, signal });
  } catch (err) {
    if (ctx.signal.aborted) return;
    const timedOut = timeout.signal.aborted;
    app.log.warn({ req: ctx.requestId, path: ctx.url.pathname, err: (err as Error).message, timedOut }, 'amp upstream unreachable');
    return sendJson(
      ctx.res,
      timedOut ? 504 : 502,
      { error: 'amp_upstream_proxy_error', message: timedOut ? 'Amp upstream did not answer in time' : 'Failed to reach Amp upstream' },
      input.responseHeaders,
    );
  } finally {
    clearTimeout(timer);
  }
  app.log.debug({ req: ctx.requestId, path: ctx.url.pathname, status: res.statusCode, secret: secret?.source ?? 'none' }, 'amp upstream answered');
  await relayResponse(ctx, res, input.responseHeaders ?? {});
}

async function relayResponse(ctx: RequestContext, res: Dispatcher.ResponseData, extra: Record<string, string>): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(res.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name.toLowerCase())) continue;
    headers[name.toLowerCase()] = value;
  }
  Object.assign(headers, extra);
  const ctype = String(headers['content-type'] ?? '');
  const body = res.body;
  const sniff = !ctype.includes('text/event-stream') && headers['content-encoding'] === undefined;
  let head: Buffer = Buffer.alloc(0);
  const iterator = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  try {
    if (sniff) {
      // Peek at the first two bytes: some upstream answers are gzip without a Content-Encoding header.
      while (head.length < 2) {
        const next = await iterator.next();
        if (next.done) break;
        head = Buffer.concat([head, next.value]);
      }
      if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
        const parts = [head];
        for (let n = await iterator.next(); !n.done; n = await iterator.next()) parts.push(n.value);
        const plain = await gunzipAsync(Buffer.concat(parts));
        headers['content-length'] = String(plain.length);
        ctx.res.writeHead(res.statusCode, headers);
        ctx.res.end(plain);
        return;
      }
    }
    ctx.res.writeHead(res.statusCode, headers);
    ctx.res.flushHeaders();
    async function* rest(): AsyncGenerator<Buffer> {
      if (head.length) yield head;
      for (let n = await iterator.next(); !n.done; n = await iterator.next()) yield n.value;
    }
    await pipeline(rest(), ctx.res);
  } catch (err) {
    body.destroy();
    if (ctx.signal.aborted) return;
    ctx.app.log.warn({ req: ctx.requestId, path: ctx.url.pathname, err: (err as Error).message }, 'amp upstream answer failed mid-way');
    if (!ctx.res.headersSent) sendJson(ctx.res, 502, { error: 'amp_upstream_proxy_error', message: 'Amp upstream answer could not be read' }, extra);
    else ctx.res.destroy();
  }
}
