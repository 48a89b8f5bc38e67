import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { trimmed } from '../../src/util/trim.js';

describe('trimmed', () => {
  it('equals String.prototype.trim on any string', () => {
    const spaces = fc.constantFrom(' ', '\t', '\n', '\u00a0', '\u2028', '\ufeff', '\u3000');
    const s = fc.tuple(fc.array(spaces, { maxLength: 2 }), fc.string(), fc.array(spaces, { maxLength: 2 })).map(([a, b, c]) => a.join('') + b + c.join(''));
    fc.assert(fc.property(fc.oneof(s, fc.string({ unit: 'grapheme' })), (x) => trimmed(x) === x.trim()), { numRuns: 3000 });
  });
});
