import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream.js';
import { startProxy, type RunningProxy } from '../helpers/proxy.js';
import { AMP_UPSTREAM_TEXT, startFakeAmp, type FakeAmp } from './fake-amp.js';
import { AMP_KEY, CLIENT_KEY, call, localProviders } from './helpers.js';

let models: FakeUpstream;
let amp: FakeAmp;
let amp2: FakeAmp;
let proxy: RunningProxy;

const config = (ampcode: Record<string, unknown>) => ({ 'api-keys': [CLIENT_KEY], ...localProviders(models), ampcode });
const opus = (model = 'claude-opus-4-7') => call(proxy.url, '/api/provider/anthropic/v1/messages', { model, max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] });

beforeAll(async () => {
  models = await startFakeUpstream();
  amp = await startFakeAmp();
  amp2 = await startFakeAmp();
  proxy = await startProxy(config({ 'upstream-url': amp.url, 'upstream-api-key': AMP_KEY }));
});

afterAll(async () => {
  await proxy?.close();
  await models?.close();
  await amp?.close();
  await amp2?.close();
});

describe('hot reload of the ampcode block', () => {
  it('applies added, changed and removed model mappings on the next request', async () => {
    expect((await opus()).headers.get('x-cliproxy-route')).toBe('amp-upstream');

    proxy.reconfigure(config({ 'upstream-url': amp.url, 'upstream-api-key': AMP_KEY, 'model-mappings': [{ from: 'claude-opus-4-7', to: 'local-claude' }] }));
    const mapped = await opus();
    expect(mapped.headers.get('x-cliproxy-route')).toBe('mapped');
    expect(models.calls.at(-1)!.model).toBe('claude-up');

    proxy.reconfigure(config({ 'upstream-url': amp.url, 'upstream-api-key': AMP_KEY, 'model-mappings': [{ from: 'claude-opus-.*', to: 'local-gpt', regex: true }] }));
    await opus();
    expect(models.calls.at(-1)!.model).toBe('up-gpt');

    proxy.reconfigure(config({ 'upstream-url': amp.url, 'upstream-api-key': AMP_KEY }));
    expect((await opus()).headers.get('x-cliproxy-route')).toBe('amp-upstream');
  });

  it('applies the force flag without restart', async () => {
    const mappings = [{ from: 'local-claude', to: 'local-gpt' }];
    proxy.reconfigure(config({ 'upstream-url': amp.url, 'model-mappings': mappings }));
    expect((await opus('local-claude')).headers.get('x-cliproxy-route')).toBe('local');
    proxy.reconfigure(config({ 'upstream-url': amp.url, 'model-mappings': mappings, 'force-model-mappings': true }));
    const forced = await opus('local-claude');
    expect(forced.headers.get('x-cliproxy-route')).toBe('mapped');
    expect(forced.json.model).toBe('local-claude');
    expect(models.calls.at(-1)!.model).toBe('up-gpt');
  });

  it('switches, and clears, the upstream URL and key', async () => {
    proxy.reconfigure(config({ 'upstream-url': amp2.url, 'upstream-api-key': 'sgamp_second' }));
    const r = await opus('claude-unknown');
    expect(r.json.content[0].text).toBe(AMP_UPSTREAM_TEXT);
    expect(amp2.records.at(-1)!.headers['x-api-key']).toBe('sgamp_second');
    expect((await call(proxy.url, '/api/internal?getUserInfo', { method: 'getUserInfo' })).status).toBe(200);
    expect(amp2.at('/api/internal')).toHaveLength(1);

    proxy.reconfigure(config({}));
    const gone = await opus('claude-unknown');
    expect(gone.status).toBe(404);
    // Without an upstream the control plane is answered locally (issue 8): nothing reaches the old upstream.
    const before = amp2.records.length;
    const local = await call(proxy.url, '/api/internal?getUserInfo', { method: 'getUserInfo' });
    expect(local.status).toBe(200);
    expect(local.json).toMatchObject({ ok: true, result: { features: [] } });
    expect(amp2.records.length).toBe(before);
  });
});
