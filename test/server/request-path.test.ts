import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { needsUrlParser } from '../../src/server/http.js';

describe('needsUrlParser', () => {
  it('agrees with the regex it replaces on any request target', () => {
    const reference = /[?#%\\]|\/\.|^\/\/|^[^/]/;
    const target = fc.array(fc.constantFrom('/', '.', '?', '#', '%', '\\', 'a', 'v1', '-', ':'), { maxLength: 12 }).map((p) => p.join(''));
    fc.assert(fc.property(fc.oneof(target, fc.string()), (raw) => needsUrlParser(raw) === reference.test(raw)), { numRuns: 2000 });
  });

  it('leaves plain API paths alone and sends the rest to the URL parser', () => {
    expect(needsUrlParser('/v1/chat/completions')).toBe(false);
    expect(needsUrlParser('/v1beta/models/gemini-2.5-pro:generateContent')).toBe(false);
    for (const raw of ['/v1/models?key=x', '/a/../b', '//evil', 'http://x/y', '/a%2Fb', '/a\\b', '/x#f']) expect(needsUrlParser(raw)).toBe(true);
  });
});
