import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream.js';
import { startProxy, type RunningProxy } from '../helpers/proxy.js';
import { startFakeAmp, type FakeAmp } from './fake-amp.js';
import { AMP_KEY, CLIENT_KEY, call, localProviders } from './helpers.js';

let models: FakeUpstream;
let amp: FakeAmp;
let proxy: RunningProxy;
const lines: any[] = [];

beforeAll(async () => {
  models = await startFakeUpstream();
  amp = await startFakeAmp();
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l));
      done();
    },
  });
  const log = pino({ level: 'info' }, sink);
  proxy = await startProxy({ 'api-keys': [CLIENT_KEY], ...localProviders(models), ampcode: { 'upstream-url': amp.url, 'upstream-api-key': AMP_KEY, 'model-mappings': [{ from: 'claude-opus-4-7', to: 'local-claude' }] } }, log);
});

afterAll(async () => {
  await proxy?.close();
  await models?.close();
  await amp?.close();
});

const ask = (model: string) => call(proxy.url, '/api/provider/anthropic/v1/messages', { model, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
const ampLines = (req?: string) => lines.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('amp:') && l.model === req);

describe('which path an Amp model call took', () => {
  it('logs one line per call naming the route, and the mapping target for mapped calls', async () => {
    await ask('local-claude');
    await ask('claude-opus-4-7');
    expect(ampLines('local-claude')).toHaveLength(1);
    expect(ampLines('local-claude')[0].route).toBe('local');
    const mapped = ampLines('claude-opus-4-7');
    expect(mapped).toHaveLength(1);
    expect(mapped[0]).toMatchObject({ route: 'mapped', target: 'local-claude' });
  });

  it('warns about Amp credits on amp-upstream and suggests the mapping that keeps the call local', async () => {
    const r = await ask('claude-opus-4-8');
    expect(r.headers.get('x-cliproxy-route')).toBe('amp-upstream');
    const [line] = ampLines('claude-opus-4-8');
    expect(line.level).toBe(40);
    expect(line.route).toBe('amp-upstream');
    expect(line.msg).toContain('Amp credits');
    expect(line.suggestion).toContain('from: "claude-opus-4-8"');
    expect(line.suggestion).toMatch(/to: "local-/);
    expect(JSON.stringify(lines)).not.toContain(AMP_KEY);
    expect(JSON.stringify(lines)).not.toContain(CLIENT_KEY);
  });
});
