import { Agent, ProxyAgent, type Dispatcher } from 'undici';
import { socksDispatcher } from 'fetch-socks';

/**
 * The one HTTP client factory: a shared keep-alive Agent for direct calls, and one cached dispatcher per
 * proxy URL (http/https via undici's ProxyAgent, socks5 via fetch-socks). `direct`/`none` bypass a global proxy.
 */
const cache = new Map<string, Dispatcher>();

const AGENT_OPTIONS = {
  keepAliveTimeout: 30_000,
  keepAliveMaxTimeout: 300_000,
  connections: 256,
  pipelining: 1,
  // Upstream calls can think for minutes before the first byte; timeouts are enforced by the router.
  headersTimeout: 0,
  bodyTimeout: 0,
} as const;

let direct: Dispatcher | undefined;

export function directDispatcher(): Dispatcher {
  direct ??= new Agent(AGENT_OPTIONS);
  return direct;
}

export class ProxyUrlError extends Error {}

/** Resolve a credential proxy over the global one; empty means "use the global proxy", `direct`/`none` bypass it. */
export function effectiveProxy(credentialProxy: string | undefined, globalProxy: string | undefined): string {
  // Most calls have neither: answer those without a trim call.
  if (!credentialProxy && !globalProxy) return '';
  const own = credentialProxy?.trim();
  if (own) return own;
  return globalProxy?.trim() ?? '';
}

export function dispatcherFor(proxyUrl: string): Dispatcher {
  if (proxyUrl === '') return directDispatcher(); // the usual case, checked before any string work
  const p = proxyUrl.trim();
  if (!p || p === 'direct' || p === 'none') return directDispatcher();
  const cached = cache.get(p);
  if (cached) return cached;
  let url: URL;
  try {
    url = new URL(p);
  } catch {
    throw new ProxyUrlError(`invalid proxy-url "${redactUrl(p)}"`);
  }
  let dispatcher: Dispatcher;
  switch (url.protocol) {
    case 'http:':
    case 'https:':
      dispatcher = new ProxyAgent({ uri: p, ...AGENT_OPTIONS });
      break;
    case 'socks5:':
    case 'socks5h:':
    case 'socks:':
      dispatcher = socksDispatcher(
        {
          type: 5,
          host: url.hostname,
          port: Number(url.port || 1080),
          userId: url.username ? decodeURIComponent(url.username) : undefined,
          password: url.password ? decodeURIComponent(url.password) : undefined,
        },
        { ...AGENT_OPTIONS },
      );
      break;
    default:
      throw new ProxyUrlError(`unsupported proxy scheme "${url.protocol}" (use http, https or socks5)`);
  }
  cache.set(p, dispatcher);
  return dispatcher;
}

/** A URL with its password blanked, for logs and errors. */
export function redactUrl(u: string): string {
  try {
    const url = new URL(u);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return u.replace(/\/\/[^@/]*@/, '//***@');
  }
}
