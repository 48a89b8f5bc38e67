import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cleanSchemaForGemini, cleanSchemaNode } from '../../../src/formats/gemini/schema-clean.js';
import { geminiSchemaToJsonSchema } from '../../../src/formats/gemini/schema-normalize.js';

const ALLOWED = new Set([
  'type', 'format', 'description', 'nullable', 'enum', 'properties', 'required', 'items', 'minItems', 'maxItems',
  'minimum', 'maximum', 'minLength', 'maxLength', 'minProperties', 'maxProperties', 'anyOf', 'propertyOrdering',
]);

/** Every key at every schema position must be in Gemini's subset. */
function assertGeminiSubset(s: unknown, path = '$'): void {
  if (typeof s !== 'object' || s === null) throw new Error(`${path} is not an object`);
  const o = s as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!ALLOWED.has(k)) throw new Error(`${path}.${k} not allowed`);
  if (o.properties) for (const [k, v] of Object.entries(o.properties as object)) assertGeminiSubset(v, `${path}.properties.${k}`);
  if (o.items) assertGeminiSubset(o.items, `${path}.items`);
  if (o.anyOf) (o.anyOf as unknown[]).forEach((v, i) => assertGeminiSubset(v, `${path}.anyOf[${i}]`));
  if (Array.isArray(o.type)) throw new Error(`${path}.type is an array`);
}

describe('cleanSchemaForGemini', () => {
  it('strips JSON-Schema-only keywords and keeps the Gemini subset', () => {
    const out = cleanSchemaForGemini({
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: 'x',
      type: 'object',
      title: 'Args',
      additionalProperties: false,
      properties: {
        url: { type: 'string', format: 'uri', description: 'where', pattern: '^https?://', default: 'http://a' },
        when: { type: 'string', format: 'date-time' },
        n: { type: 'integer', format: 'int64', exclusiveMinimum: 0, minimum: 1, maximum: 9, examples: [3] },
        x: { type: 'number', format: 'decimal' },
      },
      required: ['url', 'ghost'],
      patternProperties: { '^a': { type: 'string' } },
      unevaluatedProperties: false,
    });
    expect(out).toEqual({
      type: 'object',
      properties: {
        url: { type: 'string', description: 'where' },
        when: { type: 'string', format: 'date-time' },
        n: { type: 'integer', format: 'int64', minimum: 1, maximum: 9 },
        x: { type: 'number' },
      },
      required: ['url'],
    });
  });

  it('turns nullable type arrays, const, oneOf, non-string enums into Gemini forms', () => {
    const out = cleanSchemaForGemini({
      type: 'object',
      properties: {
        a: { type: ['string', 'null'] },
        b: { const: 'fixed' },
        c: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
        d: { anyOf: [{ type: 'number' }, { type: 'null' }], description: 'maybe' },
        e: { type: 'integer', enum: [1, 2, 3] },
        f: { type: ['string', 'number'] },
        g: { enum: ['x', null] },
      },
    });
    expect(out!.properties).toEqual({
      a: { type: 'string', nullable: true },
      b: { type: 'string', enum: ['fixed'] },
      c: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
      d: { type: 'number', nullable: true, description: 'maybe' },
      e: { type: 'string', enum: ['1', '2', '3'] },
      f: { anyOf: [{ type: 'string' }, { type: 'number' }] },
      g: { type: 'string', nullable: true, enum: ['x'] },
    });
  });

  it('handles nested objects and arrays of objects', () => {
    const out = cleanSchemaForGemini({
      type: 'object',
      properties: {
        items: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            additionalProperties: { type: 'string' },
            properties: { name: { type: 'string' }, tags: { type: 'array' } },
            required: ['name', 'missing'],
          },
        },
        tuple: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }] },
        any: { type: 'object' },
      },
    });
    expect(out).toEqual({
      type: 'object',
      properties: {
        items: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            properties: { name: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } },
            required: ['name'],
          },
        },
        tuple: { type: 'array', items: { anyOf: [{ type: 'string' }, { type: 'number' }] } },
        any: { type: 'object' },
      },
    });
    assertGeminiSubset(out);
  });

  it('inlines local $refs ($defs and definitions) with sibling overrides', () => {
    const out = cleanSchemaForGemini({
      type: 'object',
      $defs: { Color: { type: 'string', enum: ['red', 'blue'], description: 'a colour' } },
      definitions: { Point: { type: 'object', properties: { x: { type: 'number' } }, required: ['x'] } },
      properties: {
        fg: { $ref: '#/$defs/Color', description: 'foreground' },
        at: { $ref: '#/definitions/Point' },
        chain: { $ref: '#/$defs/Alias' },
      },
    });
    expect(out!.properties).toEqual({
      fg: { type: 'string', enum: ['red', 'blue'], description: 'foreground' },
      at: { type: 'object', properties: { x: { type: 'number' } }, required: ['x'] },
      chain: {},
    });
  });

  it('breaks cyclic $refs instead of recursing forever', () => {
    const schema = {
      type: 'object',
      properties: { root: { $ref: '#/$defs/Node' } },
      $defs: {
        Node: {
          type: 'object',
          properties: { value: { type: 'string' }, children: { type: 'array', items: { $ref: '#/$defs/Node' } } },
        },
      },
    };
    const out = cleanSchemaForGemini(schema)!;
    const root = (out.properties as Record<string, Record<string, unknown>>).root!;
    expect(root.type).toBe('object');
    const children = (root.properties as Record<string, Record<string, unknown>>).children!;
    expect(children).toEqual({ type: 'array', items: { type: 'object' } });
    assertGeminiSubset(out);
    // The root referencing itself (`#`) is a cycle too.
    const self = cleanSchemaForGemini({ type: 'object', properties: { next: { $ref: '#' }, v: { type: 'string' } } })!;
    expect((self.properties as Record<string, unknown>).next).toEqual({ type: 'object' });
  });

  it('merges allOf members, including referenced ones', () => {
    const out = cleanSchemaForGemini({
      $defs: { Base: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } },
      allOf: [{ $ref: '#/$defs/Base' }, { properties: { extra: { type: 'boolean' } }, required: ['extra'] }],
    });
    expect(out).toEqual({
      type: 'object',
      properties: { id: { type: 'string' }, extra: { type: 'boolean' } },
      required: ['id', 'extra'],
    });
  });

  it('returns undefined for argument-less tools so `parameters` is omitted', () => {
    expect(cleanSchemaForGemini({ type: 'object', properties: {} })).toBeUndefined();
    expect(cleanSchemaForGemini({ type: 'object', additionalProperties: false })).toBeUndefined();
    expect(cleanSchemaForGemini({})).toBeUndefined();
    expect(cleanSchemaForGemini(undefined)).toBeUndefined();
  });

  it('does not mutate its input', () => {
    const input = { type: 'object', properties: { a: { type: ['string', 'null'], default: 'x' } }, required: ['a', 'b'] };
    const copy = structuredClone(input);
    cleanSchemaForGemini(input);
    expect(input).toEqual(copy);
  });

  it('cleanSchemaNode works on non-object roots', () => {
    expect(cleanSchemaNode({ type: 'array', items: { type: 'string', format: 'email' } })).toEqual({ type: 'array', items: { type: 'string' } });
  });

  it('always yields Gemini-subset output for arbitrary JSON-Schema-ish input', () => {
    const leaf = fc.oneof(
      fc.record({ type: fc.constantFrom('string', 'number', 'integer', 'boolean', 'null') }, { requiredKeys: [] }),
      fc.record({ const: fc.oneof(fc.string(), fc.integer()) }),
      fc.record({ enum: fc.array(fc.oneof(fc.string(), fc.integer(), fc.constant(null)), { minLength: 1, maxLength: 3 }) }),
      fc.record({ $ref: fc.constantFrom('#', '#/$defs/A', '#/$defs/missing', 'http://x/y') }),
      fc.record({ type: fc.constant(['string', 'null']), format: fc.constantFrom('uri', 'date-time', 'email') }),
    );
    const schema = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        leaf,
        fc.record({
          type: fc.constant('object'),
          properties: fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), tie('node'), { maxKeys: 3 }),
          required: fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
          additionalProperties: fc.boolean(),
        }),
        fc.record({ type: fc.constant('array'), items: tie('node') }, { requiredKeys: ['type'] }),
        fc.record({ anyOf: fc.array(tie('node'), { maxLength: 3 }) }),
        fc.record({ oneOf: fc.array(tie('node'), { maxLength: 3 }) }),
        fc.record({ allOf: fc.array(tie('node'), { maxLength: 3 }) }),
      ),
    }));
    fc.assert(
      fc.property(schema.node, schema.node, (root, def) => {
        const s = { type: 'object', properties: { p: root }, $defs: { A: def } };
        const out = cleanSchemaForGemini(s);
        if (out) assertGeminiSubset(out);
      }),
      { numRuns: 300 },
    );
  });
});

describe('geminiSchemaToJsonSchema', () => {
  it('lower-cases OpenAPI types and turns nullable into a type array, structurally', () => {
    expect(
      geminiSchemaToJsonSchema({
        type: 'OBJECT',
        properties: {
          type: { type: 'STRING', format: 'enum', enum: ['a', 'b'], nullable: true },
          list: { type: 'ARRAY', items: { type: 'INTEGER' } },
        },
        required: ['type'],
      }),
    ).toEqual({
      type: 'object',
      properties: {
        type: { type: ['string', 'null'], enum: ['a', 'b'] },
        list: { type: 'array', items: { type: 'integer' } },
      },
      required: ['type'],
    });
  });

  it('round-trips through the cleaner for Gemini-subset schemas', () => {
    const gemini = {
      type: 'OBJECT',
      properties: { a: { type: 'STRING', nullable: true }, b: { anyOf: [{ type: 'NUMBER' }, { type: 'BOOLEAN' }], nullable: true } },
      required: ['a'],
    };
    const json = geminiSchemaToJsonSchema(gemini);
    expect(geminiSchemaToJsonSchema(cleanSchemaForGemini(json))).toEqual(json);
  });
});
