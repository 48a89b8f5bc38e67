import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream.js';
import { startProxy, type RunningProxy } from '../helpers/proxy.js';
import { registerExecutor } from '../../src/providers/index.js';
import { openAICompatExecutor } from '../../src/providers/openai-compat.js';
import type { Credential } from '../../src/credentials/types.js';

/**
 * The 401 path: one refresh through the executor's `refresh` hook, then one retry of the same credential.
 * The hook here swaps the stale key for a good one, as an OAuth executor swaps the access token.
 */
let fake: FakeUpstream;
let proxy: RunningProxy;
let refreshes = 0;
let refreshWorks = true;

beforeAll(async () => {
  registerExecutor({
    ...openAICompatExecutor,
    async refresh(c: Credential) {
      refreshes++;
      if (!refreshWorks) return false;
      c.apiKey = 'sk-fresh-token-123';
      return true;
    },
  });
  fake = await startFakeUpstream((call) =>
    call.headers.authorization === 'Bearer sk-fresh-token-123'
      ? { kind: 'answer', answer: { text: 'after refresh' } }
      : { kind: 'error', status: 401, body: { error: { message: 'token expired', type: 'authentication_error' } } },
  );
  proxy = await startProxy({
    routing: { strategy: 'fill-first' },
    'openai-compatibility': [
      { name: 'oauthish', 'base-url': `${fake.url}/v1`, 'api-key-entries': [{ 'api-key': 'sk-stale-token-1' }, { 'api-key': 'sk-stale-token-2' }], models: [{ name: 'm', alias: 'm' }] },
    ],
  });
});
afterAll(async () => {
  await proxy?.close();
  await fake?.close();
});

const chat = () =>
  fetch(`${proxy.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }] }) });

describe('401 handling', () => {
  it('refreshes the token once and retries the same credential before cooling it', async () => {
    const r = await chat();
    expect(r.status).toBe(200);
    expect(((await r.json()) as any).choices[0].message.content).toBe('after refresh');
    expect(refreshes).toBe(1);
    expect(fake.calls.map((c) => c.headers.authorization)).toEqual(['Bearer sk-stale-token-1', 'Bearer sk-fresh-token-123']);
    expect(proxy.app.router.cooldowns.entries(Date.now())).toEqual([]);
  });

  it('when refresh fails the credential cools and the next one is tried', async () => {
    refreshWorks = false;
    refreshes = 0;
    const creds = proxy.app.router.registry.candidates('m').map((c) => c.credential);
    creds[0]!.apiKey = 'sk-revoked';
    fake.calls.length = 0;
    const r2 = await chat();
    expect(r2.status).toBe(401);
    expect(fake.calls.length).toBe(2); // one try per credential, no retry without a refresh
    expect(refreshes).toBe(2);
    expect(proxy.app.router.cooldowns.entries(Date.now()).map((e) => e.state.reason)).toEqual(['unauthorized', 'unauthorized']);
  });
});
