/**
 * Anthropic request clean-up for locally served Amp calls (SPEC 7.2 "request sanitiser"). Amp sends earlier
 * turns back as it received them; a turn produced by a translated upstream may hold a `thinking` block without
 * a real signature, which Anthropic rejects ("invalid signature"), and a `signature` on `tool_use`, which it
 * does not accept either. Returns the number of changes (the body is edited in place).
 */
export function sanitizeAnthropicHistory(body: Record<string, unknown>): number {
  if (!Array.isArray(body.messages)) return 0;
  let changes = 0;
  for (const msg of body.messages as unknown[]) {
    if (!msg || typeof msg !== 'object') continue;
    const m = msg as Record<string, unknown>;
    if (m.role !== 'assistant' || !Array.isArray(m.content)) continue;
    const kept: unknown[] = [];
    for (const block of m.content as unknown[]) {
      const b = block as Record<string, unknown> | null;
      if (b && b.type === 'thinking' && (typeof b.signature !== 'string' || b.signature.trim() === '')) {
        changes++;
        continue;
      }
      if (b && b.type === 'tool_use' && 'signature' in b) {
        delete b.signature;
        changes++;
      }
      kept.push(block);
    }
    // An assistant turn must keep some content; if only unsigned thinking was there, leave it as it was.
    if (kept.length > 0) m.content = kept;
  }
  return changes;
}
