import { createHash, randomBytes } from 'node:crypto';

/** PKCE (RFC 7636, S256) and an unguessable `state` for one login. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function randomState(): string {
  return randomBytes(24).toString('base64url');
}
