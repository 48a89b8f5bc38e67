import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fastContentDelta } from '../../../src/formats/openai-chat/fast-delta.js';
import { ChatStreamDecoder } from '../../../src/formats/openai-chat/stream-decode.js';

const plain = (content: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null }], ...extra });

describe('fastContentDelta (the Chat content-delta fast path)', () => {
  it('reads the content of the common chunk shapes, escapes included', () => {
    expect(fastContentDelta(plain('hello'))?.text).toBe('hello');
    expect(fastContentDelta(plain('say "hi"\n\\ \u00e9 \ud83d\ude00'))?.text).toBe('say "hi"\n\\ \u00e9 \ud83d\ude00');
    expect(fastContentDelta(plain('x', { usage: null, system_fingerprint: 'fp' }))?.text).toBe('x');
    expect(fastContentDelta('{"id":"a","choices":[{"index":0,"delta":{"content":"x"},"logprobs":null,"finish_reason":null}]}')?.text).toBe('x');
  });

  it('declines every chunk that carries more than a content delta', () => {
    expect(fastContentDelta(plain('x', { usage: { prompt_tokens: 1, completion_tokens: 1 } }))).toBeUndefined();
    expect(fastContentDelta(JSON.stringify({ usage: { prompt_tokens: 1 }, choices: [{ index: 0, delta: { content: 'x' }, finish_reason: null }] }))).toBeUndefined();
    expect(fastContentDelta(JSON.stringify({ choices: [{ index: 0, delta: { content: 'x' }, finish_reason: 'stop' }] }))).toBeUndefined();
    expect(fastContentDelta(JSON.stringify({ choices: [{ index: 0, delta: { content: 'x', role: 'assistant' }, finish_reason: null }] }))).toBeUndefined();
    expect(fastContentDelta(JSON.stringify({ choices: [{ index: 0, delta: { content: 'x' }, finish_reason: null }, { index: 1, delta: { content: 'y' }, finish_reason: null }] }))).toBeUndefined();
    expect(fastContentDelta(JSON.stringify({ error: { message: 'boom' }, choices: [{ index: 0, delta: { content: 'x' }, finish_reason: null }] }))).toBeUndefined();
    expect(fastContentDelta('{"choices":[{"index":0,"delta":{"content":"trunc')).toBeUndefined();
    expect(fastContentDelta('{"choices":[{"index":0,"delta":{"content":"x"},"finish_reason":null}]')).toBeUndefined();
  });

  it('hands over the content literal only when it is valid JSON as it stands', () => {
    const quoted = plain('hi "you"');
    expect(fastContentDelta(quoted)).toEqual({ text: 'hi "you"', json: JSON.stringify('hi "you"') });
    // An escape the upstream chose is kept as it is: still a literal of the same text.
    const escapedChunk = plain('café').replace('é', '\\u00e9');
    expect(fastContentDelta(escapedChunk)).toEqual({ text: 'café', json: '"caf\\u00e9"' });
    // A raw control character is invalid JSON: the text is salvaged, the literal is not reused.
    const raw = plain('a_b').replace('a_b', 'a\tb');
    expect(fastContentDelta(raw)).toEqual({ text: 'a\tb', json: undefined });
  });

  it('never disagrees with a full parse on arbitrary chunks', () => {
    const chunk = fc.record(
      {
        id: fc.string(),
        model: fc.string(),
        usage: fc.oneof(fc.constant(null), fc.record({ prompt_tokens: fc.nat(), completion_tokens: fc.nat() })),
        error: fc.record({ message: fc.string() }),
        choices: fc.array(
          fc.record(
            {
              index: fc.constantFrom(0, 1),
              delta: fc.record({ content: fc.oneof(fc.string(), fc.string({ unit: 'binary' })), role: fc.constant('assistant'), reasoning_content: fc.string() }, { requiredKeys: [] }),
              logprobs: fc.constant(null),
              finish_reason: fc.constantFrom(null, 'stop', 'length'),
            },
            { requiredKeys: ['index', 'delta', 'finish_reason'] },
          ),
          { minLength: 0, maxLength: 2 },
        ),
      },
      { requiredKeys: ['choices'] },
    );
    fc.assert(
      fc.property(chunk, (c) => {
        const text = JSON.stringify(c);
        const fast = fastContentDelta(text)?.text;
        if (fast === undefined) return;
        // Whenever the fast path answers, the full parse must see exactly one plain content delta with that text.
        const parsed = JSON.parse(text) as typeof c;
        expect(parsed.choices).toHaveLength(1);
        const choice = parsed.choices[0]!;
        expect(choice.index).toBe(0);
        expect(choice.finish_reason).toBeNull();
        expect(Object.keys(choice.delta)).toEqual(['content']);
        expect(choice.delta.content).toBe(fast);
        expect(parsed.usage ?? null).toBeNull();
        expect(parsed.error).toBeUndefined();
      }),
      { numRuns: 3000 },
    );
  });

  it('a decoded stream carries exactly the streamed text, whichever path each chunk took', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' }), { minLength: 1, maxLength: 30 }), (parts) => {
        const d = new ChatStreamDecoder();
        const events = [
          ...d.push({ data: JSON.stringify({ id: 'c', model: 'm', choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }) }),
          ...parts.flatMap((p) => d.push({ data: plain(p) })),
          ...d.push({ data: JSON.stringify({ id: 'c', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }) }),
          ...d.push({ data: '[DONE]' }),
        ];
        const text = events.map((e) => (e.type === 'text-delta' ? e.text : '')).join('');
        expect(text).toBe(parts.join(''));
        // Where a decoder hands encoders the upstream's literal, it is exactly a JSON literal of the text.
        for (const e of events) if (e.type === 'text-delta' && e.textJson !== undefined) expect(JSON.parse(e.textJson)).toBe(e.text);
        expect(events.filter((e) => e.type === 'text-start')).toHaveLength(parts.join('') ? 1 : 0);
        expect(events.at(-1)?.type).toBe('finish');
      }),
      { numRuns: 500 },
    );
  });
});
