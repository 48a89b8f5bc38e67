import { createHash, timingSafeEqual } from 'node:crypto';
import * as nodeCrypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { trimmed } from '../util/trim.js';

/**
 * Client API-key check. Keys are compared as SHA-256 digests with timingSafeEqual, so neither the key's
 * content nor its length leaks through timing.
 */
export class ClientKeyRing {
  private readonly digests: Buffer[];

  constructor(keys: readonly string[]) {
    this.digests = keys.map(digest);
  }

  get empty(): boolean {
    return this.digests.length === 0;
  }

  // Verdicts for recently presented keys (valid or not): the same few keys arrive on every request, and a
  // digest plus one native timingSafeEqual call per configured key showed in the per-request profile. A key not
  // seen before takes the constant-time path. The timing of a lookup can only tell whether that exact string was
  // presented recently: for a valid key the answer itself says more, for an invalid one it says nothing about
  // any valid key (the digest cache this replaces had the same property).
  private readonly verdicts = new Map<string, number>();

  /** Index of the matching key, or -1. A key not seen before is checked against every key in constant time. */
  match(candidate: string): number {
    const known = this.verdicts.get(candidate);
    if (known !== undefined) return known;
    const d = digest(candidate);
    let found = -1;
    for (let i = 0; i < this.digests.length; i++) if (timingSafeEqual(d, this.digests[i]!) && found < 0) found = i;
    if (this.verdicts.size >= 256) this.verdicts.clear();
    this.verdicts.set(candidate, found);
    return found;
  }
}

// One-shot crypto.hash (Node >= 20.12) skips the Hash object; fall back where it is missing.
const oneShot = (nodeCrypto as { hash?: (alg: string, data: string, enc: 'buffer') => Buffer }).hash;
function digest(s: string): Buffer {
  return oneShot ? oneShot('sha256', s, 'buffer') : createHash('sha256').update(s).digest();
}

/** The token of an Authorization header (`Bearer <token>` in any case, or the bare value), trimmed. */
function bearerToken(auth: string): string {
  // The usual exact `Bearer ` prefix and no surrounding spaces cost a compare and a slice, no lower-casing or trim.
  const bearer = auth.startsWith('Bearer ') || auth.slice(0, 7).toLowerCase() === 'bearer ';
  return trimmed(bearer ? auth.slice(7) : auth);
}

/**
 * Each key a caller presents, in CLIProxyAPI's order (SPEC 2.6), to `check` until it answers true. Returns
 * whether any key was presented. A callback rather than an array of the keys: the array (and its 17-slot
 * backing store) was garbage on every request, for the one key nearly every caller sends.
 */
function forEachPresentedKey(req: IncomingMessage, url: URL | undefined, check: (key: string) => boolean): boolean {
  let presented = false;
  const auth = req.headers.authorization;
  if (auth) {
    presented = true;
    if (check(bearerToken(auth))) return true;
  }
  const goog = req.headers['x-goog-api-key'];
  if (typeof goog === 'string' && goog) {
    presented = true;
    if (check(trimmed(goog))) return true;
  }
  const xkey = req.headers['x-api-key'];
  if (typeof xkey === 'string' && xkey) {
    presented = true;
    if (check(trimmed(xkey))) return true;
  }
  if (url?.search) {
    for (const name of ['key', 'auth_token']) {
      const q = url.searchParams.get(name);
      if (q) {
        presented = true;
        if (check(q)) return true;
      }
    }
  }
  return presented;
}

export type AuthResult = { ok: true; key?: string } | { ok: false; status: 401 | 403; message: string };

/**
 * Unlike CLIProxyAPI, an empty `api-keys` list does not open the server to the network: only loopback
 * callers are served then. `url` is the parsed request URL when it has a query string (`?key=`), else undefined.
 */
export function authenticate(ring: ClientKeyRing, keys: readonly string[], req: IncomingMessage, url: URL | undefined): AuthResult {
  if (ring.empty) {
    if (isLoopback(req.socket.remoteAddress)) return { ok: true };
    return {
      ok: false,
      status: 403,
      message: 'this server has no api-keys configured, so it only serves callers on this machine; add api-keys to config.yaml to allow remote clients',
    };
  }
  let matched = -1;
  const presented = forEachPresentedKey(req, url, (key) => (matched = ring.match(key)) >= 0);
  if (matched >= 0) return { ok: true, key: keys[matched] };
  return { ok: false, status: 401, message: presented ? 'Invalid API key' : 'Missing API key' };
}

/** Socket-address loopback check (never trusts X-Forwarded-For and friends). */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  let a = address;
  if (a.startsWith('::ffff:')) a = a.slice(7);
  if (a === '::1') return true;
  if (isIP(a) === 4) return a.startsWith('127.');
  return false;
}
