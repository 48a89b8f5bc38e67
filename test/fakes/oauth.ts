import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake OAuth / account server on 127.0.0.1 standing in for claude.ai, auth.openai.com, Google (accounts,
 * token, userinfo, Cloud projects, Code Assist, Service Usage), chat.qwen.ai (device flow) and iflow.cn.
 * Records every call; behaviour is scripted through the public fields.
 */
export interface OAuthCall {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** Parsed form or JSON body. */
  body: Record<string, any>;
}

export interface FakeOAuth {
  url: string;
  calls: OAuthCall[];
  /** What /authorize redirects with. */
  authorizeMode: 'ok' | 'deny' | 'bad-state';
  /** Refresh tokens the token endpoint rejects with invalid_grant. */
  revoked: Set<string>;
  /** Device-flow poll answers, consumed in order; then success. */
  devicePolls: string[];
  /** When set, refresh-token grants wait for this promise (to test coalescing). */
  refreshGate?: Promise<void>;
  /** Email in ID tokens / userinfo. */
  email: string;
  issued: number;
  env(extra?: Record<string, string>): Record<string, string>;
  close(): Promise<void>;
}

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
export const fakeIdToken = (email: string, accountId = 'acct-123') =>
  `${b64({ alg: 'none' })}.${b64({ email, 'https://api.openai.com/auth': { chatgpt_account_id: accountId } })}.sig`;

export async function startFakeOAuth(): Promise<FakeOAuth> {
  const fake: FakeOAuth = {
    url: '',
    calls: [],
    authorizeMode: 'ok',
    revoked: new Set(),
    devicePolls: [],
    email: 'user@example.com',
    issued: 0,
    env: () => ({}),
    close: async () => {},
  };
  const server: Server = createServer((req, res) => void handle(fake, req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.env = (extra = {}) => {
    const u = fake.url;
    const env: Record<string, string> = {};
    for (const p of ['CLAUDE', 'CODEX', 'GEMINI', 'ANTIGRAVITY', 'IFLOW']) {
      env[`CLIPROXY_${p}_AUTH_URL`] = `${u}/authorize`;
      env[`CLIPROXY_${p}_TOKEN_URL`] = `${u}/token`;
      env[`CLIPROXY_${p}_CALLBACK_PORT`] = '0';
    }
    Object.assign(env, {
      CLIPROXY_QWEN_DEVICE_URL: `${u}/device/code`,
      CLIPROXY_QWEN_TOKEN_URL: `${u}/token`,
      CLIPROXY_GEMINI_USERINFO_URL: `${u}/userinfo`,
      CLIPROXY_ANTIGRAVITY_USERINFO_URL: `${u}/userinfo`,
      CLIPROXY_GEMINI_PROJECTS_URL: `${u}/projects`,
      CLIPROXY_GEMINI_API_URL: u,
      CLIPROXY_ANTIGRAVITY_API_URL: u,
      CLIPROXY_GEMINI_SERVICEUSAGE_URL: u,
      CLIPROXY_IFLOW_USERINFO_URL: `${u}/iflow/userinfo`,
      CLIPROXY_IFLOW_SUCCESS_URL: `${u}/iflow/success`,
      CLIPROXY_IFLOW_APIKEY_URL: `${u}/iflow/apikey`,
    });
    return { ...env, ...extra };
  };
  fake.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return fake;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const t = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(t) }).end(t);
}

let onboardPolls = 0;

async function handle(fake: FakeOAuth, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  let body: Record<string, any> = {};
  if (text) {
    if ((req.headers['content-type'] ?? '').includes('json')) body = JSON.parse(text);
    else body = Object.fromEntries(new URLSearchParams(text));
  }
  const url = new URL(req.url ?? '/', 'http://x');
  fake.calls.push({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body });
  const path = url.pathname;

  if (path === '/authorize') {
    const redirect = url.searchParams.get('redirect_uri') ?? url.searchParams.get('redirect') ?? '';
    const state = url.searchParams.get('state') ?? '';
    const target = new URL(redirect);
    if (fake.authorizeMode === 'deny') target.searchParams.set('error', 'access_denied');
    else target.searchParams.set('code', 'auth-code-1');
    target.searchParams.set('state', fake.authorizeMode === 'bad-state' ? 'forged-state' : state);
    res.writeHead(302, { location: target.toString() }).end();
    return;
  }
  if (path === '/token') {
    const grant = body.grant_type;
    if (grant === 'refresh_token') {
      if (fake.refreshGate) await fake.refreshGate;
      if (fake.revoked.has(body.refresh_token)) return send(res, 400, { error: 'invalid_grant', error_description: 'refresh token expired' });
      fake.issued++;
      return send(res, 200, { access_token: `at-refreshed-${fake.issued}`, expires_in: 3600, token_type: 'Bearer', id_token: fakeIdToken(fake.email) });
    }
    if (grant === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      if (String(body.assertion ?? '').split('.').length !== 3) return send(res, 400, { error: 'invalid_grant' });
      return send(res, 200, { access_token: 'sa-at', expires_in: 3600, token_type: 'Bearer' });
    }
    if (grant === 'urn:ietf:params:oauth:grant-type:device_code') {
      const next = fake.devicePolls.shift();
      if (next) return send(res, 400, { error: next });
      return send(res, 200, { access_token: 'qwen-at', refresh_token: 'qwen-rt', expires_in: 3600, resource_url: 'portal.qwen.ai' });
    }
    if (grant === 'authorization_code') {
      if (body.code !== 'auth-code-1') return send(res, 400, { error: 'invalid_grant' });
      return send(res, 200, {
        access_token: 'at-login',
        refresh_token: 'rt-login',
        expires_in: 3600,
        token_type: 'Bearer',
        id_token: fakeIdToken(fake.email),
        account: { email_address: fake.email },
      });
    }
    return send(res, 400, { error: 'unsupported_grant_type' });
  }
  if (path === '/device/code') {
    return send(res, 200, { device_code: 'dev-1', user_code: 'ABCD-1234', verification_uri: `${fake.url}/device`, verification_uri_complete: `${fake.url}/device?user_code=ABCD-1234`, expires_in: 600, interval: 5 });
  }
  if (path === '/userinfo') return send(res, 200, { email: fake.email });
  if (path === '/projects') return send(res, 200, { projects: [{ projectId: 'proj-a', name: 'A' }, { projectId: 'proj-b', name: 'B' }] });
  if (path === '/v1internal:loadCodeAssist') {
    if (body.metadata?.ideType === 'ANTIGRAVITY') return send(res, 200, { cloudaicompanionProject: 'ag-project-1', currentTier: { id: 'standard-tier' } });
    return send(res, 200, { allowedTiers: [{ id: 'free-tier', isDefault: true }] });
  }
  if (path === '/v1internal:onboardUser') {
    onboardPolls++;
    if (onboardPolls % 2 === 1) return send(res, 200, { done: false });
    return send(res, 200, { done: true, response: { cloudaicompanionProject: { id: body.cloudaicompanionProject } } });
  }
  if (/^\/v1\/projects\/[^/]+\/services\/[^/:]+$/.test(path)) return send(res, 200, { state: 'DISABLED' });
  if (/^\/v1\/projects\/[^/]+\/services\/[^/]+:enable$/.test(path)) return send(res, 200, { done: true });
  if (path === '/iflow/userinfo') return send(res, 200, { success: true, data: { apiKey: `iflow-key-for-${url.searchParams.get('accessToken')}`, email: fake.email } });
  if (path === '/iflow/apikey') {
    if (!String(req.headers.cookie ?? '').includes('BXAuth=')) return send(res, 200, { success: false, message: 'not logged in' });
    return send(res, 200, { success: true, data: { name: 'cookie-user', apiKey: 'ck-key-1', expireTime: '2030-01-01 08:00' } });
  }
  if (path === '/iflow/success') return send(res, 200, { ok: true });
  send(res, 404, { error: 'not found' });
}
