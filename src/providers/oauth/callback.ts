import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OAuthError } from './http.js';

/**
 * The local listener a browser is redirected to after consent. It accepts exactly one callback whose `state`
 * matches; a wrong `state` is answered with an error page and rejected (it could be a forged redirect).
 */
export interface CallbackServer {
  /** `http://localhost:<port><path>` — what the provider redirects to. */
  redirectUri: string;
  port: number;
  /** Resolves with the `code` (and the full query) of the callback, or rejects on denial, bad state, timeout. */
  wait(timeoutMs: number): Promise<{ code: string; params: URLSearchParams }>;
  close(): void;
}

const page = (title: string, body: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body style="font-family:sans-serif;margin:3em"><h2>${title}</h2><p>${body}</p></body></html>`;

export async function startCallbackServer(opts: { port: number; path: string; state: string; successRedirect?: string }): Promise<CallbackServer> {
  let settle: { resolve: (v: { code: string; params: URLSearchParams }) => void; reject: (e: Error) => void } | undefined;
  let early: { ok: { code: string; params: URLSearchParams } } | { err: Error } | undefined;
  const finish = (r: { ok: { code: string; params: URLSearchParams } } | { err: Error }) => {
    if (early) return;
    early = r;
    if (settle) 'ok' in r ? settle.resolve(r.ok) : settle.reject(r.err);
  };
  const servers: Server[] = [];
  const handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== opts.path) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const p = url.searchParams;
    const html = (status: number, title: string, body: string) => res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(page(title, body));
    const error = p.get('error');
    if (error) {
      html(400, 'Login was not completed', `The provider answered: ${escapeHtml(error)}${p.get('error_description') ? ` — ${escapeHtml(p.get('error_description')!)}` : ''}. You can close this tab.`);
      finish({ err: new OAuthError(`login denied by the provider: ${error}${p.get('error_description') ? ` (${p.get('error_description')})` : ''}`, 0, error) });
      return;
    }
    let code = p.get('code') ?? '';
    let state = p.get('state') ?? '';
    // Claude may append the state to the code as `code#state`.
    if (code.includes('#')) {
      const [c, s] = code.split('#', 2);
      code = c!;
      if (!state) state = s ?? '';
    }
    if (state !== opts.state) {
      html(400, 'Login rejected', 'The callback did not carry the state this login started with, so it was refused. Start the login again.');
      finish({ err: new OAuthError('callback rejected: state mismatch (possible forged or stale redirect)', 0, 'state_mismatch') });
      return;
    }
    if (!code) {
      html(400, 'Login rejected', 'The callback carried no authorization code.');
      finish({ err: new OAuthError('callback rejected: no authorization code', 0, 'no_code') });
      return;
    }
    if (opts.successRedirect) res.writeHead(302, { location: opts.successRedirect }).end();
    else html(200, 'Login successful', 'cliproxy received the authorization. You can close this tab and return to the terminal.');
    finish({ ok: { code, params: p } });
  };
  const main = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    main.once('error', (err: NodeJS.ErrnoException) =>
      reject(new OAuthError(err.code === 'EADDRINUSE' ? `port ${opts.port} is already in use; close whatever uses it (another login?) and retry` : `cannot listen for the callback: ${err.message}`)),
    );
    main.listen(opts.port, '127.0.0.1', () => resolve());
  });
  servers.push(main);
  const port = (main.address() as AddressInfo).port;
  // Browsers may resolve `localhost` to ::1; listen there too when the system has IPv6 loopback.
  const v6 = createServer(handler);
  v6.on('error', () => {});
  v6.listen(port, '::1', () => servers.push(v6));
  let timer: NodeJS.Timeout | undefined;
  const close = () => {
    if (timer) clearTimeout(timer);
    for (const s of servers) {
      s.closeAllConnections?.();
      s.close();
    }
    v6.close();
  };
  return {
    port,
    redirectUri: `http://localhost:${port}${opts.path}`,
    close,
    wait(timeoutMs) {
      return new Promise((resolve, reject) => {
        if (early) return 'ok' in early ? resolve(early.ok) : reject(early.err);
        settle = { resolve, reject };
        timer = setTimeout(() => finish({ err: new OAuthError(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for the browser callback`, 0, 'timeout') }), timeoutMs);
        timer.unref();
      });
    },
  };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
