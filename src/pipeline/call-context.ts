import type { IncomingHttpHeaders } from 'node:http';
import type { Credential } from '../credentials/types.js';
import { sessionOf } from '../credentials/session.js';
import { executorFor } from '../providers/index.js';
import type { Logger } from '../util/log.js';

const MAX_KEY = 256;

function header(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s && s.trim() ? s.trim().slice(0, MAX_KEY) : undefined;
}

/**
 * The conversation a request belongs to, for session affinity: `X-Session-ID`, Amp's `X-Amp-Thread-Id`,
 * Codex CLI's `session_id` header, or Claude Code's `metadata.user_id` (older builds: `user_<h>_account_<a>_session_<uuid>`;
 * newer: a JSON string with `session_id`). Undefined when the caller names no conversation.
 */
export function sessionKeyOf(headers: IncomingHttpHeaders, body: Record<string, unknown>): string | undefined {
  const h = header(headers, 'x-session-id') ?? header(headers, 'x-amp-thread-id') ?? header(headers, 'session_id');
  if (h) return h;
  const meta = body.metadata;
  const userId = meta && typeof meta === 'object' ? (meta as Record<string, unknown>).user_id : undefined;
  if (typeof userId !== 'string' || !userId) return undefined;
  if (userId.startsWith('{')) {
    try {
      const parsed = JSON.parse(userId) as Record<string, unknown>;
      if (typeof parsed.session_id === 'string' && parsed.session_id) return `cc:${parsed.session_id.slice(0, MAX_KEY)}`;
    } catch {
      /* not JSON: use the raw value */
    }
  }
  const m = /_session_([0-9a-f-]{8,})/i.exec(userId);
  return `cc:${(m ? m[1]! : userId).slice(0, MAX_KEY)}`;
}

/**
 * After a 401: renew the credential's token once. The executor's own `refresh` wins; otherwise an OAuth
 * credential's token session is refreshed. Resolves false for API keys (nothing to renew) or a failed refresh.
 */
export async function refreshAfter401(credential: Credential, log: Logger): Promise<boolean> {
  try {
    const executor = executorFor(credential.kind);
    if (executor?.refresh) return await executor.refresh(credential);
    const session = sessionOf(credential);
    if (!session || !session.canRefresh()) return false;
    await session.refresh();
    return true;
  } catch (err) {
    log.warn({ credential: credential.label, err: (err as Error).message }, 'token refresh after 401 failed');
    return false;
  }
}
