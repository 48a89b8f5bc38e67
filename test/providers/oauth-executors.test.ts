import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream.js';
import { startFakeCodeAssist, type FakeCodeAssist } from '../fakes/code-assist.js';
import { startFakeOAuth, fakeIdToken, type FakeOAuth } from '../fakes/oauth.js';
import { startProxy, type RunningProxy } from '../helpers/proxy.js';
import { writeJsonAtomic } from '../../src/credentials/token-file.js';
import { CLAUDE_CODE_SYSTEM } from '../../src/providers/claude-oauth.js';
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';

let up: FakeUpstream;
let ca: FakeCodeAssist;
let oauth: FakeOAuth;
let proxy: RunningProxy;
let dir: string;
let promptServer: Server;
const promptRequests: string[] = [];
const soon = (ms: number) => new Date(Date.now() + ms).toISOString();

beforeAll(async () => {
  up = await startFakeUpstream();
  ca = await startFakeCodeAssist();
  oauth = await startFakeOAuth();
  Object.assign(process.env, oauth.env());
  // Codex's official prompt is fetched once from the (configurable) Codex CLI source and cached.
  promptServer = createServer((req, res) => {
    promptRequests.push(req.url ?? '');
    if (req.url?.endsWith('/gpt_5_codex_prompt.md')) res.writeHead(200, { 'content-type': 'text/markdown' }).end('OFFICIAL CODEX PROMPT');
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => promptServer.listen(0, '127.0.0.1', r));
  process.env.CLIPROXY_CODEX_PROMPTS_URL = `http://127.0.0.1:${(promptServer.address() as { port: number }).port}/codex-rs/core/`;
  process.env.CLIPROXY_CODEX_PROMPTS_CACHE = await mkdtemp(join(tmpdir(), 'cliproxy-codex-prompts-'));
  dir = await mkdtemp(join(tmpdir(), 'cliproxy-exec-'));
  const day = soon(86_400_000 * 30);
  await writeJsonAtomic(join(dir, 'gemini-g@x.com-proj-x.json'), { type: 'gemini', token: { access_token: 'g-at', refresh_token: 'g-rt', expiry: day }, project_id: 'proj-x', email: 'g@x.com', base_url: ca.url });
  await writeJsonAtomic(join(dir, 'antigravity-a_x_com.json'), { type: 'antigravity', access_token: 'ag-at', refresh_token: 'ag-rt', expired: day, project_id: 'ag-proj', email: 'a@x.com', base_url: ca.url });
  await writeJsonAtomic(join(dir, 'claude-c@x.com.json'), { type: 'claude', access_token: 'c-at', refresh_token: 'c-rt', expired: day, email: 'c@x.com', base_url: up.url });
  await writeJsonAtomic(join(dir, 'codex-x@x.com.json'), { type: 'codex', access_token: 'x-at', refresh_token: 'x-rt', id_token: fakeIdToken('x@x.com'), account_id: 'acct-9', expired: day, email: 'x@x.com', base_url: `${up.url}/backend-api/codex` });
  await writeJsonAtomic(join(dir, 'qwen-q.json'), { type: 'qwen', access_token: 'q-at-expired', refresh_token: 'q-rt', expired: soon(-1000), email: 'q', base_url: `${up.url}/v1` });
  await writeJsonAtomic(join(dir, 'iflow-i@x.com.json'), { type: 'iflow', access_token: 'i-at', refresh_token: 'i-rt', api_key: 'i-key', expired: day, email: 'i@x.com', base_url: `${up.url}/v1` });
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const sa = { type: 'service_account', project_id: 'v-proj', client_email: 'sa@v-proj.iam', private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }), token_uri: `${oauth.url}/token` };
  await writeJsonAtomic(join(dir, 'vertex-v-proj.json'), { type: 'vertex', service_account: sa, project_id: 'v-proj', email: 'sa@v-proj.iam', location: 'europe-west4', base_url: up.url });
  proxy = await startProxy({ 'auth-dir': dir, 'oauth-excluded-models': { 'gemini-cli': ['gemini-2.5-flash-lite'], vertex: ['gemini-2.5-*', 'gemini-3-pro-preview'] } });
  if (!proxy.app.router.registry.has('gemini-claude-sonnet-4-5')) await once(proxy.app.authDir!, 'models');
});

afterAll(async () => {
  await proxy?.close();
  await Promise.all([up?.close(), ca?.close(), oauth?.close()]);
  promptServer?.close();
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${proxy.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
const lastUp = () => up.calls[up.calls.length - 1]!;
const lastCa = () => ca.calls.filter((c) => !c.path.includes('fetchAvailableModels')).at(-1)!;

describe('OAuth executors through the server', () => {
  it('lists the models each login unlocks, minus oauth-excluded-models', async () => {
    const ids = ((await (await fetch(`${proxy.url}/v1/models`)).json()) as any).data.map((m: { id: string }) => m.id);
    expect(ids).toEqual(expect.arrayContaining(['gemini-2.5-pro', 'claude-sonnet-4-5-20250929', 'gpt-5-codex', 'qwen3-coder-plus', 'glm-4.6', 'gemini-claude-sonnet-4-5', 'gemini-3-pro-preview']));
    expect(proxy.app.router.registry.candidates('gemini-2.5-flash-lite').some((c) => c.credential.provider === 'gemini-cli')).toBe(false);
    expect(ids).not.toContain('chat_20706');
  });

  it('gemini-cli: v1internal envelope with project, Gemini CLI headers, response unwrapped', async () => {
    const r = await post('/v1beta/models/gemini-2.5-pro:generateContent', { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });
    expect(r.status).toBe(200);
    const body = (await r.json()) as any;
    expect(body.candidates[0].content.parts[0].text).toBe('Hello from code assist');
    const call = lastCa();
    expect(call.path).toBe('/v1internal:generateContent');
    expect(call.body).toMatchObject({ model: 'gemini-2.5-pro', project: 'proj-x', request: { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] } });
    expect(call.headers.authorization).toBe('Bearer g-at');
    expect(call.headers['user-agent']).toBe('google-api-nodejs-client/9.15.1');
    expect(call.headers['client-metadata']).toContain('pluginType=GEMINI');
  });

  it('gemini-cli: an OpenAI chat stream is translated from the unwrapped SSE events', async () => {
    const r = await post('/v1/chat/completions', { model: 'gemini-2.5-pro', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    const text = await r.text();
    expect(lastCa().url).toBe('/v1internal:streamGenerateContent?alt=sse');
    const content = text.split('\n').filter((l) => l.startsWith('data: {')).map((l) => JSON.parse(l.slice(6)).choices[0]?.delta?.content ?? '').join('');
    expect(content).toBe('Hello from code assist');
    expect(text.trim().endsWith('data: [DONE]')).toBe(true);
  });

  it('antigravity: live model aliases, antigravity envelope fields and user agent', async () => {
    const r = await post('/v1/chat/completions', { model: 'gemini-claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }] });
    expect(r.status).toBe(200);
    expect(((await r.json()) as any).choices[0].message.content).toBe('Hello from code assist');
    const call = lastCa();
    expect(call.body).toMatchObject({ model: 'claude-sonnet-4-5', userAgent: 'antigravity', project: 'ag-proj', request: { toolConfig: { functionCallingConfig: { mode: 'VALIDATED' } } } });
    expect(call.body.requestId).toMatch(/^agent-/);
    expect(call.body.request.sessionId).toMatch(/^-\d+$/);
    expect(call.headers['user-agent']).toBe('antigravity/1.11.5 windows/amd64');
    expect(call.headers.authorization).toBe('Bearer ag-at');
  });

  it('claude OAuth: Bearer, oauth beta, ?beta=true, Claude Code line before the caller system prompt', async () => {
    const r = await post('/v1/messages', { model: 'claude-sonnet-4-5-20250929', max_tokens: 50, system: 'You are terse.', messages: [{ role: 'user', content: 'hi' }] }, { 'anthropic-version': '2023-06-01' });
    expect(r.status).toBe(200);
    const call = lastUp();
    expect(call.url).toBe('/v1/messages?beta=true');
    expect(call.headers.authorization).toBe('Bearer c-at');
    expect(call.headers['x-api-key']).toBeUndefined();
    expect(String(call.headers['anthropic-beta'])).toContain('oauth-2025-04-20');
    expect(call.headers['x-app']).toBe('cli');
    expect(call.headers['user-agent']).toBe('claude-cli/1.0.83 (external, cli)');
    expect(call.body.system).toEqual([{ type: 'text', text: CLAUDE_CODE_SYSTEM }, { type: 'text', text: 'You are terse.' }]);
  });

  it('claude OAuth: thinking variants map to the real model with a budget', async () => {
    await post('/v1/messages', { model: 'claude-opus-4-5-thinking-high', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] });
    expect(lastUp().body).toMatchObject({ model: 'claude-opus-4-5-20251101', thinking: { type: 'enabled', budget_tokens: 24576 }, max_tokens: 64000 });
  });

  it('codex OAuth: ChatGPT backend always streamed, account id header, non-stream answer folded', async () => {
    const r = await post('/v1/responses', { model: 'gpt-5-codex-high', input: 'hi', instructions: 'be brief', max_output_tokens: 10 });
    expect(r.status).toBe(200);
    const body = (await r.json()) as any;
    expect(body.output.find((o: { type: string }) => o.type === 'message').content[0].text).toBe('Hello from fake upstream');
    const call = lastUp();
    expect(call.path).toBe('/backend-api/codex/responses');
    expect(call.body).toMatchObject({ model: 'gpt-5-codex', stream: true, store: false, reasoning: { effort: 'high' } });
    expect(call.body.max_output_tokens).toBeUndefined();
    expect(call.headers.authorization).toBe('Bearer x-at');
    expect(call.headers['chatgpt-account-id']).toBe('acct-9');
    expect(call.headers.originator).toBe('codex_cli_rs');
    expect(call.headers['openai-beta']).toBe('responses=experimental');
    expect(call.headers.session_id).toBeTruthy();
    expect(call.headers['user-agent']).toMatch(/^codex_cli_rs\//);
    // Official instructions: fetched once and cached; the caller's own instructions become the first user message.
    expect(call.body.instructions).toBe('OFFICIAL CODEX PROMPT');
    expect(JSON.stringify(call.body.input[0])).toContain('EXECUTE ACCORDING TO THE FOLLOWING INSTRUCTIONS!!!\\nbe brief');
    expect(await readFile(join(process.env.CLIPROXY_CODEX_PROMPTS_CACHE!, 'gpt-5-codex.md'), 'utf8')).toBe('OFFICIAL CODEX PROMPT');
    await post('/v1/responses', { model: 'gpt-5-codex', input: 'again' });
    expect(promptRequests.filter((u) => u.endsWith('/gpt_5_codex_prompt.md'))).toHaveLength(1);
  });

  it('qwen: expired token refreshed before the call (written back), dummy tool on streams', async () => {
    const r = await post('/v1/chat/completions', { model: 'qwen3-coder-flash', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    await r.text();
    const call = lastUp();
    expect(call.path).toBe('/v1/chat/completions');
    expect(call.headers.authorization).toMatch(/^Bearer at-refreshed-/);
    expect(call.body.tools[0].function.name).toBe('do_not_call_me');
    expect(call.body.stream_options).toEqual({ include_usage: true });
    const file = JSON.parse(await readFile(join(dir, 'qwen-q.json'), 'utf8'));
    expect(file.access_token).toMatch(/^at-refreshed-/);
    expect(file.refresh_token).toBe('q-rt');
  });

  it('iflow: the API key (not the OAuth token) as Bearer, iFlow-Cli user agent', async () => {
    const r = await post('/v1/chat/completions', { model: 'glm-4.6', messages: [{ role: 'user', content: 'hi' }] });
    expect(r.status).toBe(200);
    const call = lastUp();
    expect(call.headers.authorization).toBe('Bearer i-key');
    expect(call.headers['user-agent']).toBe('iFlow-Cli');
  });

  it('vertex service account: token minted with a signed JWT, project/location path', async () => {
    const r = await post('/v1beta/models/gemini-3-pro-image-preview:generateContent', { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });
    expect(r.status).toBe(200);
    const call = lastUp();
    expect(call.path).toBe('/v1/projects/v-proj/locations/europe-west4/publishers/google/models/gemini-3-pro-image-preview:generateContent');
    expect(call.headers.authorization).toBe('Bearer sa-at');
  });
});
