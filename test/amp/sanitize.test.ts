import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sanitizeAnthropicHistory } from '../../src/amp/sanitize.js';

const history = () => ({
  model: 'claude-sonnet-4-5',
  messages: [
    { role: 'user', content: [{ type: 'text', text: 'hi' }] },
    {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'from a translated upstream', signature: '' },
        { type: 'thinking', thinking: 'real', signature: 'sig-real' },
        { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { cmd: 'ls' }, signature: '' },
      ],
    },
    { role: 'assistant', content: [{ type: 'text', text: 'clean turn' }] },
  ],
});

describe('sanitizeAnthropicHistory', () => {
  it('returns a cleaned copy and leaves the parsed body as it was', () => {
    const body = history();
    const before = structuredClone(body);
    const out = sanitizeAnthropicHistory(body);
    expect(body).toEqual(before);
    expect(out).not.toBe(body);
    expect((out.messages as Array<{ content: unknown }>)[1]!.content).toEqual([
      { type: 'thinking', thinking: 'real', signature: 'sig-real' },
      { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { cmd: 'ls' } },
    ]);
    // Turns that needed nothing are shared, not copied.
    expect((out.messages as unknown[])[0]).toBe(body.messages[0]);
    expect((out.messages as unknown[])[2]).toBe(body.messages[2]);
  });

  it('hands back the body itself when there is nothing to clean', () => {
    const body = { model: 'm', messages: [{ role: 'assistant', content: [{ type: 'thinking', thinking: 't', signature: 's' }] }] };
    expect(sanitizeAnthropicHistory(body)).toBe(body);
  });

  it('never changes its input, whatever the blocks', () => {
    const block = fc.oneof(
      fc.record({ type: fc.constant('thinking'), thinking: fc.string(), signature: fc.option(fc.constantFrom('', ' ', 'sig'), { nil: undefined }) }),
      fc.record({ type: fc.constant('tool_use'), id: fc.string(), name: fc.string(), input: fc.object(), signature: fc.option(fc.string(), { nil: undefined }) }),
      fc.record({ type: fc.constant('text'), text: fc.string() }),
    );
    const turn = fc.record({ role: fc.constantFrom('user', 'assistant'), content: fc.array(block, { maxLength: 4 }) });
    fc.assert(
      fc.property(fc.array(turn, { maxLength: 5 }), (messages) => {
        const body = { model: 'm', messages };
        const before = structuredClone(body);
        const out = sanitizeAnthropicHistory(body);
        expect(body).toEqual(before);
        for (const m of out.messages as Array<{ role: string; content: Array<Record<string, unknown>> }>) {
          if (m.role !== 'assistant') continue;
          for (const b of m.content) if (b.type === 'tool_use') expect('signature' in b).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });
});
