import type { CanonicalRequest } from '../ir/index.js';

/**
 * Local token estimate for count_tokens when the serving upstream has no count endpoint in the caller's
 * format: about 4 characters per token for text, a flat 1,000 per image — the same order of magnitude
 * the providers report, which is what callers use it for (context budgeting).
 */
export function estimateTokens(req: CanonicalRequest): number {
  let chars = 0;
  let images = 0;
  for (const s of req.system) chars += s.text.length;
  for (const m of req.messages) {
    for (const p of m.content) {
      switch (p.type) {
        case 'text':
          chars += p.text.length;
          break;
        case 'image':
          images++;
          break;
        case 'tool-call':
          chars += p.name.length + p.arguments.length;
          break;
        case 'tool-result':
          for (const c of p.content) if (c.type === 'text') chars += c.text.length;
          else images++;
          break;
        case 'reasoning':
          chars += p.text.length;
          break;
      }
    }
    chars += 8;
  }
  for (const t of req.tools) chars += t.name.length + (t.description?.length ?? 0) + JSON.stringify(t.parameters).length;
  return Math.max(1, Math.ceil(chars / 4) + images * 1000);
}
