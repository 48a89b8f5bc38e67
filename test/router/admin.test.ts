import { afterEach, describe, expect, it } from 'vitest';
import bcrypt from 'bcryptjs';
import type { IncomingMessage } from 'node:http';
import { startProxy, type RunningProxy } from '../helpers/proxy.js';
import { ManagementGuard } from '../../src/router/admin-auth.js';

const compat = [{ name: 'pool', 'base-url': 'http://127.0.0.1:9/v1', 'api-key-entries': [{ 'api-key': 'sk-one-111111' }, { 'api-key': 'sk-two-222222' }], models: [{ name: 'm', alias: 'm' }, { name: 'n', alias: 'n' }] }];

let proxy: RunningProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

function coolSome(p: RunningProxy): string[] {
  const ids = p.app.router.registry.candidates('m').map((c) => c.credential.id);
  for (const id of ids) {
    p.app.router.markFailure(id, 'm', { status: 429, message: 'q', retryAfterMs: 600_000 });
    p.app.router.markFailure(id, 'n', { status: 429, message: 'q', retryAfterMs: 5 * 86_400_000 });
  }
  return ids;
}

describe('management: cooldowns', () => {
  it('lists cooldowns with labels and clears one credential x model', async () => {
    proxy = await startProxy({ 'openai-compatibility': compat, 'remote-management': { 'secret-key': 'plain-secret' } });
    const ids = coolSome(proxy);
    const auth = { authorization: 'Bearer plain-secret' };
    const list = (await (await fetch(`${proxy.url}/v0/management/cooldowns`, { headers: auth })).json()) as any;
    expect(list.cooldowns).toHaveLength(4);
    const capped = list.cooldowns.find((c: any) => c.model === 'n');
    expect(capped.upstream_reset).toBeTruthy(); // 5-day hint was capped at 30 min
    expect(capped.seconds_left).toBeLessThanOrEqual(1800);
    expect(JSON.stringify(list)).not.toContain('sk-one-111111');

    const r = await fetch(`${proxy.url}/v0/management/cooldowns/clear`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ credential: ids[0], model: 'm' }),
    });
    expect(await r.json()).toEqual({ status: 'ok', cleared: 1 });
    expect(proxy.app.router.cooldowns.entries(Date.now())).toHaveLength(3);

    // By label, every model.
    const label = proxy.app.router.registry.candidates('m')[1]!.credential.label;
    const r2 = await fetch(`${proxy.url}/v0/management/cooldowns/clear?credential=${encodeURIComponent(label)}`, { method: 'POST', headers: { 'x-management-key': 'plain-secret' } });
    expect(await r2.json()).toEqual({ status: 'ok', cleared: 2 });

    const r3 = await fetch(`${proxy.url}/v0/management/cooldowns/clear`, { method: 'POST', headers: auth });
    expect(await r3.json()).toEqual({ status: 'ok', cleared: 1 });
    expect(proxy.app.router.cooldowns.entries(Date.now())).toEqual([]);
  });

  it('rejects missing and wrong keys, accepts a bcrypt-hashed secret', async () => {
    proxy = await startProxy({ 'openai-compatibility': compat, 'remote-management': { 'secret-key': bcrypt.hashSync('s3cret', 4) } });
    const url = `${proxy.url}/v0/management/cooldowns`;
    const missing = await fetch(url);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ error: 'missing management key' });
    expect((await fetch(url, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: 'Bearer s3cret' } })).status).toBe(200);
  });

  it('answers 404 when no management secret is configured', async () => {
    proxy = await startProxy({ 'openai-compatibility': compat });
    expect((await fetch(`${proxy.url}/v0/management/cooldowns`, { headers: { authorization: 'Bearer x' } })).status).toBe(404);
  });
});

describe('management guard for remote callers', () => {
  const req = (addr: string, key?: string) => ({ socket: { remoteAddress: addr }, headers: key ? { authorization: `Bearer ${key}` } : {} }) as unknown as IncomingMessage;

  it('refuses remote callers unless allow-remote, and bans after five failures', async () => {
    const g = new ManagementGuard();
    expect(await g.check(req('10.1.2.3', 'k'), { secretKey: 'k', allowRemote: false })).toEqual({ ok: false, status: 403, error: 'remote management disabled' });
    expect((await g.check(req('10.1.2.3', 'k'), { secretKey: 'k', allowRemote: true })).ok).toBe(true);
    for (let i = 0; i < 5; i++) await g.check(req('10.9.9.9', 'bad'), { secretKey: 'k', allowRemote: true });
    const banned = await g.check(req('10.9.9.9', 'k'), { secretKey: 'k', allowRemote: true });
    expect(banned.ok).toBe(false);
    expect(!banned.ok && banned.error).toMatch(/banned/);
    // Forwarded headers never make a remote caller local.
    const spoof = { socket: { remoteAddress: '10.1.2.3' }, headers: { 'x-forwarded-for': '127.0.0.1', authorization: 'Bearer k' } } as unknown as IncomingMessage;
    expect((await g.check(spoof, { secretKey: 'k', allowRemote: false })).ok).toBe(false);
  });
});
