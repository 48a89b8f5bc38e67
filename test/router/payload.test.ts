import { describe, expect, it } from 'vitest';
import { applyPayloadRules, parsePath, payloadProtocol, type PayloadRules } from '../../src/router/payload.js';

const rules = (r: Partial<PayloadRules>): PayloadRules => ({ default: [], override: [], filter: [], ...r });

describe('payload rules', () => {
  it('default sets a nested path only when it is absent', () => {
    const r = rules({ default: [{ models: [{ name: 'gemini-2.5-*' }], params: { 'generationConfig.thinkingConfig.thinkingBudget': 32768 } }] });
    expect(applyPayloadRules(r, { contents: [] }, ['gemini-2.5-pro'], 'gemini')).toEqual({ contents: [], generationConfig: { thinkingConfig: { thinkingBudget: 32768 } } });
    const existing = { generationConfig: { thinkingConfig: { thinkingBudget: 128 } } };
    expect(applyPayloadRules(r, existing, ['gemini-2.5-pro'], 'gemini')).toEqual(existing);
  });

  it('override always sets; filter removes', () => {
    const r = rules({
      override: [{ models: [{ name: '*' }], params: { 'reasoning.effort': 'high' } }],
      filter: [{ models: [{ name: 'gpt-*' }], params: ['temperature', 'tools.0.strict'] }],
    });
    const out = applyPayloadRules(r, { reasoning: { effort: 'low' }, temperature: 0.2, tools: [{ strict: true, name: 'x' }] }, ['gpt-5'], 'codex');
    expect(out).toEqual({ reasoning: { effort: 'high' }, tools: [{ name: 'x' }] });
  });

  it('matches the protocol when a rule names one', () => {
    const r = rules({ override: [{ models: [{ name: '*', protocol: 'claude' }], params: { x: 1 } }] });
    expect(applyPayloadRules(r, {}, ['m'], 'openai')).toEqual({});
    expect(applyPayloadRules(r, {}, ['m'], 'claude')).toEqual({ x: 1 });
  });

  it('never mutates the input and returns it untouched when nothing matches', () => {
    const body = { a: { b: 1 } };
    const r = rules({ override: [{ models: [{ name: 'm' }], params: { 'a.b': 2 } }] });
    const out = applyPayloadRules(r, body, ['m'], 'openai');
    expect(out).toEqual({ a: { b: 2 } });
    expect(body).toEqual({ a: { b: 1 } });
    expect(applyPayloadRules(r, body, ['other'], 'openai')).toBe(body);
  });

  it('gjson/sjson paths: escaped dots, array indexes and -1 append', () => {
    expect(parsePath('a\\.b.c')).toEqual(['a.b', 'c']);
    const r = rules({ override: [{ models: [{ name: '*' }], params: { 'stop.-1': 'END', 'meta\\.key': 'v', 'list.1': 'y' } }] });
    expect(applyPayloadRules(r, { stop: ['a'] }, ['m'], 'openai')).toEqual({ stop: ['a', 'END'], 'meta.key': 'v', list: [undefined, 'y'] });
  });

  it('maps executors to CLIProxyAPI protocol names', () => {
    expect(payloadProtocol('openai-compat', 'openai-chat')).toBe('openai');
    expect(payloadProtocol('codex', 'openai-responses')).toBe('codex');
    expect(payloadProtocol('claude', 'anthropic')).toBe('claude');
    expect(payloadProtocol('gemini-cli', 'gemini')).toBe('gemini');
  });
});
