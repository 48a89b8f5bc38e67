import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { anthropicCodec } from '../../../src/formats/anthropic/index.js';
import type { StreamEvent } from '../../../src/ir/index.js';

/** Serve our encoder's output to the official SDK through a fake fetch (no network) and read it back. */
function sdkWith(body: string, contentType: string): Anthropic {
  return new Anthropic({
    apiKey: 'test',
    baseURL: 'http://127.0.0.1:1',
    maxRetries: 0,
    fetch: (async () => new Response(body, { status: 200, headers: { 'content-type': contentType } })) as typeof fetch,
  });
}

describe('official @anthropic-ai/sdk reads what we encode', () => {
  it('accumulates an interleaved stream into the right final message', async () => {
    const enc = anthropicCodec.createStreamEncoder({ model: 'claude-opus-4-7' });
    const events: StreamEvent[] = [
      { type: 'message-start', id: 'resp_1', model: 'gpt-5', usage: { inputTokens: 30, outputTokens: 0, cachedInputTokens: 10 } },
      { type: 'reasoning-start', id: 'r', family: 'anthropic' },
      { type: 'reasoning-delta', id: 'r', text: 'plan' },
      { type: 'reasoning-signature', id: 'r', signature: 'SIG' },
      { type: 'reasoning-end', id: 'r' },
      { type: 'tool-call-start', id: 'call_a', name: 'read' },
      { type: 'tool-call-start', id: 'call_b', name: 'grep' },
      { type: 'tool-call-delta', id: 'call_b', argumentsDelta: '{"q":"x"}' },
      { type: 'tool-call-delta', id: 'call_a', argumentsDelta: '{"path":' },
      { type: 'tool-call-delta', id: 'call_a', argumentsDelta: '"a.ts"}' },
      { type: 'tool-call-end', id: 'call_b' },
      { type: 'tool-call-end', id: 'call_a' },
      { type: 'finish', reason: 'tool-calls', usage: { inputTokens: 30, outputTokens: 12, cachedInputTokens: 10 } },
    ];
    const sse = [...events.flatMap((e) => enc.push(e)), ...enc.end()].map((e) => `event: ${e.event}\ndata: ${e.data}\n\n`).join('');
    const client = sdkWith(sse, 'text/event-stream');
    const msg = await client.messages.stream({ model: 'claude-opus-4-7', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
    expect(msg.id).toBe('msg_resp_1');
    expect(msg.model).toBe('claude-opus-4-7');
    expect(msg.stop_reason).toBe('tool_use');
    expect(msg.content).toMatchObject([
      { type: 'thinking', thinking: 'plan', signature: 'SIG' },
      { type: 'tool_use', id: 'call_a', name: 'read', input: { path: 'a.ts' } },
      { type: 'tool_use', id: 'call_b', name: 'grep', input: { q: 'x' } },
    ]);
    expect(msg.usage).toMatchObject({ input_tokens: 20, cache_read_input_tokens: 10, output_tokens: 12 });
  });

  it('parses a non-stream body', async () => {
    const body = anthropicCodec.encodeResponse(
      { id: 'x', model: 'm', content: [{ type: 'text', text: 'hello' }], finishReason: 'length', created: 0, usage: { inputTokens: 3, outputTokens: 4 } },
      { model: 'claude-haiku-4-5' },
    );
    const client = sdkWith(JSON.stringify(body), 'application/json');
    const msg = await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
    expect(msg.content).toEqual([{ type: 'text', text: 'hello' }]);
    expect(msg.stop_reason).toBe('max_tokens');
  });
});
