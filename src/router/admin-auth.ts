import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import bcrypt from 'bcryptjs';
import { isLoopback } from '../server/auth.js';

/**
 * `/v0/management` authentication (SPEC 8.1): the `remote-management.secret-key` (plaintext or a bcrypt
 * `$2a$/$2b$/$2y$` hash) or `MANAGEMENT_PASSWORD`, as `Authorization: Bearer` or `X-Management-Key`.
 * Loopback only unless `allow-remote`; the loopback test uses the socket address, never forwarded headers.
 * Five failures from one remote address ban it for 30 minutes.
 */
export interface ManagementSettings {
  secretKey: string;
  allowRemote: boolean;
  /** `MANAGEMENT_PASSWORD` (also allows remote callers, as in CLIProxyAPI). */
  envPassword?: string;
}

export type ManagementAuthResult = { ok: true } | { ok: false; status: 401 | 403 | 404; error: string };

const MAX_FAILURES = 5;
const BAN_MS = 30 * 60_000;
const BCRYPT = /^\$2[aby]\$/;

export class ManagementGuard {
  private readonly failures = new Map<string, { count: number; bannedUntil: number }>();

  async check(req: IncomingMessage, s: ManagementSettings, now = Date.now()): Promise<ManagementAuthResult> {
    const secret = s.secretKey.trim();
    const env = s.envPassword ?? '';
    if (!secret && !env) return { ok: false, status: 404, error: 'not found' };
    const addr = req.socket.remoteAddress ?? '';
    const local = isLoopback(addr);
    if (!local) {
      const f = this.failures.get(addr);
      if (f && f.bannedUntil > now) {
        const mins = Math.ceil((f.bannedUntil - now) / 60_000);
        return { ok: false, status: 403, error: `IP banned due to too many failed attempts. Try again in ${mins}m` };
      }
      if (!s.allowRemote && !env) return { ok: false, status: 403, error: 'remote management disabled' };
    }
    const key = presentedKey(req);
    if (!key) {
      if (!local) this.fail(addr, now);
      return { ok: false, status: 401, error: 'missing management key' };
    }
    const good = (env !== '' && sameSecret(key, env)) || (secret !== '' && (await matchesSecret(key, secret)));
    if (!good) {
      if (!local) this.fail(addr, now);
      return { ok: false, status: 401, error: 'invalid management key' };
    }
    if (!local) this.failures.delete(addr);
    return { ok: true };
  }

  private fail(addr: string, now: number): void {
    const f = this.failures.get(addr) ?? { count: 0, bannedUntil: 0 };
    f.count++;
    if (f.count >= MAX_FAILURES) {
      f.bannedUntil = now + BAN_MS;
      f.count = 0;
    }
    this.failures.set(addr, f);
  }
}

function presentedKey(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth) return auth.toLowerCase().startsWith('bearer ') ? auth.slice(7).trim() : auth.trim();
  const k = req.headers['x-management-key'];
  const v = Array.isArray(k) ? k[0] : k;
  return v?.trim() || undefined;
}

async function matchesSecret(key: string, secret: string): Promise<boolean> {
  if (BCRYPT.test(secret)) {
    try {
      return await bcrypt.compare(key, secret);
    } catch {
      return false;
    }
  }
  return sameSecret(key, secret);
}

/** Constant-time comparison that leaks neither content nor length. */
function sameSecret(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}
