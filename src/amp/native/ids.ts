import { randomBytes, randomUUID } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `n` random base62 characters (rejection sampling, so every character is uniform). */
export function base62(n: number): string {
  let out = '';
  while (out.length < n) {
    for (const b of randomBytes(n * 2)) {
      if (b < 248) out += BASE62[b % 62];
      if (out.length === n) break;
    }
  }
  return out;
}

/** Amp message id: `M-` + exactly 22 base62 characters (anything else is silently rejected by the CLI). */
export const newMessageId = (): string => `M-${base62(22)}`;
/** Amp tool-use id: `TU-` + exactly 22 base62 characters. */
export const newToolUseId = (): string => `TU-${base62(22)}`;
/** Amp thread id: `T-<uuid>`. */
export const newThreadId = (): string => `T-${randomUUID()}`;
/** WebSocket token: unguessable (190 bits). */
export const newWsToken = (): string => base62(32);

export const isMessageId = (s: unknown): s is string => typeof s === 'string' && /^M-[0-9A-Za-z]{22}$/.test(s);
export const isToolUseId = (s: unknown): s is string => typeof s === 'string' && /^TU-[0-9A-Za-z]{22}$/.test(s);
export const isThreadId = (s: unknown): s is string => typeof s === 'string' && /^T-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(s);
