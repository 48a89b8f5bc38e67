import { CancelSource } from '../util/cancel.js';
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { readFileSync } from 'node:fs';
import type { App } from '../app.js';
import { authenticate } from './auth.js';
import { newRequestId, type RequestContext } from './handlers.js';
import { coreRoutes, RouteTable, type Route } from './routes.js';
import { failRequest, sendError } from '../pipeline/errors.js';
import { sendJson } from './respond.js';
import type { Format } from '../formats/types.js';

/** A fresh copy per response (handlers add to it); a literal is cheaper than spreading the constant. */
const corsHeaders = (): Record<string, string> => ({
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
  'access-control-allow-headers': '*',
});

const CORS_HEADERS = corsHeaders();

export interface ServerOptions {
  extraRoutes?: Route[];
  tls?: { cert: string; key: string };
}

/** Build the HTTP(S) server: route table, client auth, CORS, abort propagation, errors in the caller's shape. */
export function createServer(app: App, opts: ServerOptions = {}): Server {
  const routes = new RouteTable([...(opts.extraRoutes ?? []), ...coreRoutes()]);
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    try {
      dispatch(app, routes, req, res);
    } catch (err) {
      // A failure before any route was matched has no caller format to follow: OpenAI's, as for unknown routes.
      failRequest(app.log, req, res, 'openai-chat', err);
    }
  };
  const server = opts.tls
    ? createHttps({ cert: readFileSync(opts.tls.cert), key: readFileSync(opts.tls.key) }, handler)
    : createHttp(handler);
  // WebSockets (the native Amp thread socket): modules claim their paths, anything else is refused.
  server.on('upgrade', (req, socket, head) => {
    if (!app.handleUpgrade(req, socket, head)) socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 0;
  return server;
}

/**
 * The per-request context. A class on purpose: an object literal with a getter closure gets a fresh hidden
 * class per request, allocated in V8's old space and pointing at that request's objects, which kept every
 * request alive through young-generation collections (16% of allocations survived, 10 ms scavenges).
 */
class Context implements RequestContext {
  params: Record<string, string> = {};
  clientKey?: string;
  routeModel?: string;

  constructor(
    readonly app: App,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    private parsedUrl: URL | undefined,
    readonly cancel: CancelSource,
    readonly requestId: string,
    public responseHeaders: Record<string, string>,
  ) {}

  /** The parsed request URL (built on first use: the model-call routes never need it). */
  get url(): URL {
    return (this.parsedUrl ??= new URL(this.req.url ?? '/', 'http://localhost'));
  }

  get signal(): AbortSignal {
    return this.cancel.signal;
  }
}

/**
 * Whether a request target is anything but a plain path (no query, fragment, escapes, dot segments,
 * backslashes or leading `//`). The regex /[?#%\\]|\/\.|^\/\/|^[^/]/ as a loop: a RegExp test per request cost
 * more than the scan.
 */
export function needsUrlParser(raw: string): boolean {
  if (raw.length === 0) return false;
  if (raw.charCodeAt(0) !== 47 /* / */ || raw.charCodeAt(1) === 47) return true;
  for (let i = 1; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 63 /* ? */ || c === 35 /* # */ || c === 37 /* % */ || c === 92 /* \ */) return true;
    if (c === 46 /* . */ && raw.charCodeAt(i - 1) === 47) return true;
  }
  return false;
}

/**
 * The request path without trailing slashes. A plain path is used as sent; anything else goes through the
 * WHATWG URL parser, whose normalisation the routes rely on. Returns the parsed URL too when one was built.
 */
function requestPath(raw: string): { path: string; url: URL | undefined } {
  let path: string;
  let url: URL | undefined;
  if (needsUrlParser(raw)) {
    url = new URL(raw, 'http://localhost');
    path = url.pathname;
  } else path = raw;
  if (path.length > 1 && path.charCodeAt(path.length - 1) === 47 /* / */) path = path.replace(/\/+$/, '') || '/';
  return { path, url };
}

const kCancel = Symbol('cliproxy request cancellation');
type ResponseWithCancel = ServerResponse & { [kCancel]?: CancelSource };

/**
 * A response's 'close' listener: before the answer finished, the caller went away. One function for every
 * response (it finds the request's cancellation on the response), not a closure per request.
 */
function onResponseClose(this: ResponseWithCancel): void {
  if (!this.writableFinished) this[kCancel]?.abort(new Error('client closed request'));
}

function errorFormatOf(route: Route, ctx: RequestContext): Format {
  return typeof route.errorFormat === 'function' ? route.errorFormat(ctx) : route.errorFormat;
}

/**
 * Route one request. Not async (an async function would adopt the handler's promise through two extra
 * microtasks per request): a handler's failure, thrown or rejected, is answered here in the route's error shape.
 */
function dispatch(app: App, routes: RouteTable, req: IncomingMessage, res: ServerResponse): void {
  const { path, url } = requestPath(req.url ?? '/');
  const method = req.method ?? 'GET';

  const { matched, pathMatched } = routes.match(method, path);

  if (method === 'OPTIONS') {
    const corsRoute = routes.firstForPath(path);
    if (corsRoute && corsRoute.cors === false) {
      res.writeHead(403).end();
      return;
    }
    res.writeHead(204, CORS_HEADERS).end();
    return;
  }
  if (!matched) {
    if (pathMatched) return sendJson(res, 405, { error: { message: `method ${method} not allowed on ${path}`, type: 'invalid_request_error' } });
    return sendJson(res, 404, { error: { message: `no route for ${method} ${path}`, type: 'not_found_error' } });
  }

  const cancel = new CancelSource();
  (res as ResponseWithCancel)[kCancel] = cancel;
  res.on('close', onResponseClose);
  // Only browsers act on CORS headers, and a browser's cross-origin request always carries Origin: other
  // callers (SDKs, CLIs, agents) get none of the three headers to build, send and parse on every answer.
  const ctx = new Context(app, req, res, url, cancel, newRequestId(), matched.route.cors && req.headers.origin !== undefined ? corsHeaders() : {});
  if (matched.route.auth === 'client') {
    // requestPath parsed the URL whenever there is a query string, the only part authentication reads.
    const auth = authenticate(app.keyRing, app.apiKeys, req, url);
    if (!auth.ok) return sendError(res, errorFormatOf(matched.route, ctx), auth.status, auth.message, ctx.responseHeaders);
    ctx.clientKey = auth.key;
  }
  let served: Promise<void> | void;
  try {
    served = matched.route.handler(ctx, matched.match);
  } catch (err) {
    return failRequest(app.log, req, res, errorFormatOf(matched.route, ctx), err);
  }
  served?.catch((err: unknown) => failRequest(app.log, req, res, errorFormatOf(matched.route, ctx), err));
}
