import { afterEach, describe, expect, it } from 'vitest';
import { ModelRegistry } from '../../src/router/registry.js';
import { startProxy, type RunningProxy } from '../helpers/proxy.js';
import type { Credential } from '../../src/credentials/types.js';

const fileCred = (id: string, provider: string, models: string[]): Credential => ({
  id, provider, kind: 'claude', label: id, source: 'file', headers: {}, models: models.map((m) => ({ id: m, upstream: m })), priority: 0, attributes: {},
});

let proxy: RunningProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

describe('model registry', () => {
  it('maps each model to every credential serving it, with aliases resolved to upstream names', async () => {
    proxy = await startProxy({
      'claude-api-key': [
        { 'api-key': 'sk-ant-1', models: [{ name: 'claude-real-1', alias: 'fast' }] },
        { 'api-key': 'sk-ant-2', models: [{ name: 'claude-real-2', alias: 'fast' }] },
      ],
    });
    const c = proxy.app.router.registry.candidates('fast');
    expect(c.map((x) => x.upstreamModel)).toEqual(['claude-real-1', 'claude-real-2']);
  });

  it('excluded-models wildcards hide models from one credential only', async () => {
    proxy = await startProxy({
      'gemini-api-key': [{ 'api-key': 'AIza-1', 'excluded-models': ['*-pro', 'gemini-2.5-flash-*'] }, { 'api-key': 'AIza-2' }],
    });
    const r = proxy.app.router.registry;
    expect(r.candidates('gemini-2.5-pro').length).toBe(1);
    expect(r.candidates('gemini-2.5-flash').length).toBe(2);
  });

  it('prefix exposes prefixed names; force-model-prefix hides the bare ones', async () => {
    const entry = { 'api-key': 'sk-ant-1', prefix: 'team', models: [{ name: 'claude-x', alias: 'cx' }] };
    proxy = await startProxy({ 'claude-api-key': [entry] });
    expect(proxy.app.router.registry.has('team/cx')).toBe(true);
    expect(proxy.app.router.registry.has('cx')).toBe(true);
    proxy.reconfigure({ 'claude-api-key': [entry], 'force-model-prefix': true });
    expect(proxy.app.router.registry.has('team/cx')).toBe(true);
    expect(proxy.app.router.registry.has('cx')).toBe(false);
  });

  it('is updated live on config reload and when a credential source changes', async () => {
    proxy = await startProxy({ 'claude-api-key': [{ 'api-key': 'sk-ant-1', models: [{ name: 'a', alias: 'a' }] }] });
    expect(proxy.app.router.registry.has('b')).toBe(false);
    proxy.reconfigure({ 'claude-api-key': [{ 'api-key': 'sk-ant-1', models: [{ name: 'b', alias: 'b' }] }] });
    expect(proxy.app.router.registry.has('a')).toBe(false);
    expect(proxy.app.router.registry.has('b')).toBe(true);
    proxy.app.setSourceCredentials('test-files', [fileCred('claude-x.json', 'claude', ['file-model'])]);
    expect(proxy.app.router.registry.candidates('file-model')[0]!.credential.id).toBe('claude-x.json');
    proxy.app.setSourceCredentials('test-files', []);
    expect(proxy.app.router.registry.has('file-model')).toBe(false);
  });

  it('oauth-excluded-models filters file credentials of that provider, not API keys', () => {
    const reg = new ModelRegistry();
    const key: Credential = { ...fileCred('key', 'claude', ['claude-opus-4-5', 'claude-haiku-4-5']), source: 'config' };
    reg.rebuild([fileCred('f.json', 'claude', ['claude-opus-4-5', 'claude-haiku-4-5']), key], { oauthExcludedModels: { claude: ['*opus*'] } });
    expect(reg.candidates('claude-opus-4-5').map((c) => c.credential.id)).toEqual(['key']);
    expect(reg.candidates('claude-haiku-4-5').length).toBe(2);
  });
});
