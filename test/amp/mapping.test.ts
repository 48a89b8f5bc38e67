import { describe, expect, it } from 'vitest';
import { ModelMapper, splitSuffix } from '../../src/amp/mapping.js';
import { decideRoute } from '../../src/amp/decide.js';
import { ModelRegistry } from '../../src/router/registry.js';
import { ampcodeSchema } from '../../src/config/schema.js';
import type { Credential } from '../../src/credentials/types.js';

const m = (from: string, to: string, regex = false) => ({ from, to, regex });

function registryServing(...ids: string[]): ModelRegistry {
  const r = new ModelRegistry();
  const cred: Credential = { id: 'c1', provider: 'claude', kind: 'claude', label: 'c1', source: 'config', headers: {}, models: ids.map((id) => ({ id, upstream: id })), priority: 0, attributes: {} };
  r.rebuild([cred]);
  return r;
}

describe('model mapping lookup', () => {
  it('matches exact names case-insensitively, later duplicates winning', () => {
    const mapper = new ModelMapper([m('Claude-Opus-4-5-20251101', 'a'), m('claude-opus-4-5-20251101', 'b')]);
    expect(mapper.lookup('CLAUDE-opus-4-5-20251101')).toBe('b');
    expect(mapper.lookup('claude-opus-4-5')).toBeUndefined();
  });

  it('tries exact entries before regex entries, then regexes in config order', () => {
    const mapper = new ModelMapper([m('^claude-.*', 'first', true), m('opus', 'second', true), m('claude-opus-4-7', 'exact')]);
    expect(mapper.lookup('claude-opus-4-7')).toBe('exact');
    expect(mapper.lookup('Claude-Opus-4-6')).toBe('first');
    expect(mapper.lookup('big-opus')).toBe('second');
  });

  it('skips invalid regexes and empty entries without failing the rest', () => {
    const mapper = new ModelMapper([m('(', 'broken', true), m('', 'x'), m('gpt-5.4', 'ok')]);
    expect(mapper.size).toBe(1);
    expect(mapper.lookup('gpt-5.4')).toBe('ok');
  });

  it('carries a thinking suffix to a target without one, and looks up the base name', () => {
    const mapper = new ModelMapper([m('gpt-5.2', 'local-model'), m('x(low)', 'y(high)')]);
    expect(mapper.lookup('gpt-5.2(xhigh)')).toBe('local-model(xhigh)');
    expect(mapper.lookup('x(low)')).toBe('y(high)');
    expect(splitSuffix('a(b)')).toEqual({ base: 'a', suffix: '(b)' });
  });
});

describe('fallback decision', () => {
  const cfg = (over: Record<string, unknown> = {}) => ampcodeSchema.parse({ 'model-mappings': [{ from: 'claude-opus-4-7', to: 'local-sonnet' }], ...over });
  const registry = registryServing('local-sonnet', 'claude-opus-4-7-local');

  it('serves a locally registered model locally', () => {
    expect(decideRoute(cfg(), registry, 'local-sonnet')).toEqual({ route: 'local', routeModel: 'local-sonnet' });
  });

  it('maps a model no credential serves to a local target', () => {
    expect(decideRoute(cfg(), registry, 'claude-opus-4-7')).toEqual({ route: 'mapped', routeModel: 'local-sonnet' });
  });

  it('ignores a mapping whose target is not served either, then goes upstream only when configured', () => {
    const c = cfg({ 'model-mappings': [{ from: 'claude-opus-4-7', to: 'nobody-serves-this' }] });
    expect(decideRoute(c, registry, 'claude-opus-4-7').route).toBe('local');
    expect(decideRoute({ ...c, 'upstream-url': 'https://ampcode.com' }, registry, 'claude-opus-4-7').route).toBe('amp-upstream');
  });

  it('force-model-mappings applies the mapping even when the requested model is local', () => {
    const c = cfg({ 'model-mappings': [{ from: 'claude-opus-4-7-local', to: 'local-sonnet' }] });
    expect(decideRoute(c, registry, 'claude-opus-4-7-local').route).toBe('local');
    expect(decideRoute({ ...c, 'force-model-mappings': true }, registry, 'claude-opus-4-7-local')).toEqual({ route: 'mapped', routeModel: 'local-sonnet' });
  });

  it('treats name(level) as served when the base name is', () => {
    expect(decideRoute(cfg(), registry, 'local-sonnet(high)').route).toBe('local');
    expect(decideRoute(cfg(), registry, 'claude-opus-4-7(high)')).toEqual({ route: 'mapped', routeModel: 'local-sonnet(high)' });
  });
});
