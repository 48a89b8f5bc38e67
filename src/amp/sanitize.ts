/**
 * Anthropic request clean-up for locally served Amp calls (SPEC 7.2 "request sanitiser"). Amp sends earlier
 * turns back as it received them; a turn produced by a translated upstream may hold a `thinking` block without
 * a real signature, which Anthropic rejects ("invalid signature"), and a `signature` on `tool_use`, which it
 * does not accept either. Returns the body itself when nothing needs cleaning, else a copy in which only the
 * cleaned turns are new: like the rest of the pipeline (thinking suffixes, payload rules), it edits copies, never
 * the request as parsed.
 */
export function sanitizeAnthropicHistory(body: Record<string, unknown>): Record<string, unknown> {
  if (!Array.isArray(body.messages)) return body;
  let messages: unknown[] | undefined;
  const original = body.messages as unknown[];
  for (let i = 0; i < original.length; i++) {
    const cleaned = sanitizeTurn(original[i]);
    if (cleaned === original[i]) continue;
    messages ??= original.slice();
    messages[i] = cleaned;
  }
  return messages ? { ...body, messages } : body;
}

function sanitizeTurn(msg: unknown): unknown {
  if (!msg || typeof msg !== 'object') return msg;
  const m = msg as Record<string, unknown>;
  if (m.role !== 'assistant' || !Array.isArray(m.content)) return msg;
  let changed = false;
  const kept: unknown[] = [];
  for (const block of m.content as unknown[]) {
    const b = block as Record<string, unknown> | null;
    if (b && b.type === 'thinking' && (typeof b.signature !== 'string' || b.signature.trim() === '')) {
      changed = true;
      continue;
    }
    if (b && b.type === 'tool_use' && 'signature' in b) {
      const { signature: _dropped, ...rest } = b;
      kept.push(rest);
      changed = true;
      continue;
    }
    kept.push(block);
  }
  // An assistant turn must keep some content; if only unsigned thinking was there, leave it as it was.
  return changed && kept.length > 0 ? { ...m, content: kept } : msg;
}
