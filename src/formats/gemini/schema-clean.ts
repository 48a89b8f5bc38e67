/**
 * JSON Schema → Gemini `Schema` (the OpenAPI 3.0 subset accepted by `functionDeclarations[].parameters`).
 *
 * Gemini rejects the whole request (400 INVALID_ARGUMENT) on any keyword outside its subset, so tool
 * schemas written for OpenAI/Anthropic (MCP servers, zod-to-json-schema output, Pydantic models) must be
 * rewritten: local `$ref`s inlined, `oneOf`→`anyOf`, `allOf` merged, `type:[x,"null"]`→`nullable`,
 * `const`→`enum`, enum values stringified, unknown keywords dropped, dangling `required` entries removed.
 * Pure function; the input is never mutated.
 */

type Schema = Record<string, unknown>;

/** Keywords copied through unchanged (after their value type is checked). */
const NUMERIC_KEYS = ['minItems', 'maxItems', 'minimum', 'maximum', 'minLength', 'maxLength', 'minProperties', 'maxProperties'] as const;

/** `format` values Gemini accepts, per type; anything else (uri, email, uuid...) is dropped. */
const FORMATS: Record<string, readonly string[]> = {
  string: ['enum', 'date-time'],
  number: ['float', 'double'],
  integer: ['int32', 'int64'],
};

const GEMINI_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'array', 'object']);

/** Nesting guard: deeper schemas are truncated to a bare object (no real tool needs this much). */
const MAX_DEPTH = 48;

function isObj(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Resolve a local JSON pointer (`#/$defs/Foo`, `#/definitions/a~1b`, `#`) against the root schema. */
function lookup(root: Schema, ref: string): Schema | undefined {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return undefined;
  let cur: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    let key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    try {
      key = decodeURIComponent(key);
    } catch {
      /* keep the raw segment */
    }
    if (!isObj(cur)) return undefined;
    cur = cur[key];
  }
  return isObj(cur) ? cur : undefined;
}

interface Ctx {
  root: Schema;
  /** Refs being expanded on the current path: a repeat means a cycle. */
  stack: string[];
}

/**
 * Inline `$ref` (local only) and merge `allOf`, producing a ref-free JSON Schema node.
 * A cyclic reference is cut to a bare `{type:"object"}` (Gemini has no recursion).
 */
function expand(node: Schema, ctx: Ctx, depth: number): Schema {
  let cur = node;
  const pushed: string[] = [];
  // Follow chains of refs (`{$ref: A}` where A is itself `{$ref: B}`).
  while (typeof cur.$ref === 'string') {
    const ref = cur.$ref;
    if (ctx.stack.includes(ref) || pushed.includes(ref)) {
      ctx.stack.length -= pushed.length;
      return withSiblings({ type: 'object' }, cur);
    }
    const target = lookup(ctx.root, ref);
    const { $ref: _drop, ...siblings } = cur;
    if (!target) {
      cur = siblings;
      break;
    }
    // Sibling keywords (description...) override the referenced definition.
    cur = { ...target, ...siblings };
    pushed.push(ref);
    ctx.stack.push(ref);
  }
  const out = clean(cur, ctx, depth);
  ctx.stack.length -= pushed.length;
  return out;
}

function withSiblings(base: Schema, node: Schema): Schema {
  if (typeof node.description === 'string') base.description = node.description;
  return base;
}

/** Merge `allOf` members into one schema: properties merged, required unioned, first value wins otherwise. */
function mergeAllOf(node: Schema): Schema {
  const { allOf, ...rest } = node;
  if (!Array.isArray(allOf)) return rest;
  const out: Schema = { ...rest };
  for (const member of allOf) {
    if (!isObj(member)) continue;
    const m = Array.isArray(member.allOf) ? mergeAllOf(member) : member;
    for (const [k, v] of Object.entries(m)) {
      if (k === 'properties' && isObj(v)) out.properties = { ...(isObj(out.properties) ? out.properties : {}), ...v };
      else if (k === 'required' && Array.isArray(v)) {
        const have = Array.isArray(out.required) ? (out.required as unknown[]) : [];
        out.required = [...have, ...v.filter((r) => !have.includes(r))];
      } else if (!(k in out)) out[k] = v;
    }
  }
  return out;
}

/** Inline refs inside `allOf` members before merging, so `allOf:[{$ref}]` (a zod/pydantic favourite) works. */
function resolveMembers(list: unknown[], ctx: Ctx): unknown[] {
  return list.map((m) => {
    if (!isObj(m) || typeof m.$ref !== 'string') return m;
    const ref = m.$ref;
    if (ctx.stack.includes(ref)) return { type: 'object' };
    const target = lookup(ctx.root, ref);
    const { $ref: _drop, ...siblings } = m;
    return target ? { ...target, ...siblings } : siblings;
  });
}

function clean(input: Schema, ctx: Ctx, depth: number): Schema {
  if (depth > MAX_DEPTH) return { type: 'object' };
  let node = input;
  if (Array.isArray(node.allOf)) node = mergeAllOf({ ...node, allOf: resolveMembers(node.allOf, ctx) });

  const out: Schema = {};
  let nullable = node.nullable === true;

  // type: lower-case (Gemini-style "STRING" input), arrays of types → single type + nullable, or anyOf.
  let type: string | undefined;
  let typeAlternatives: string[] | undefined;
  const rawType = node.type;
  if (typeof rawType === 'string') {
    const t = rawType.toLowerCase();
    if (t === 'null') nullable = true;
    else if (GEMINI_TYPES.has(t)) type = t;
  } else if (Array.isArray(rawType)) {
    const ts = rawType.filter((t): t is string => typeof t === 'string').map((t) => t.toLowerCase());
    if (ts.includes('null')) nullable = true;
    const real = [...new Set(ts.filter((t) => GEMINI_TYPES.has(t)))];
    if (real.length === 1) type = real[0];
    else if (real.length > 1) typeAlternatives = real;
  }

  // const → enum; enum values must be strings (Gemini only supports string enums), null → nullable.
  let enumValues: string[] | undefined;
  const rawEnum = node.const !== undefined ? [node.const] : Array.isArray(node.enum) ? node.enum : undefined;
  if (rawEnum) {
    enumValues = [];
    for (const v of rawEnum) {
      if (v === null) nullable = true;
      else enumValues.push(typeof v === 'string' ? v : JSON.stringify(v));
    }
    if (enumValues.length === 0) enumValues = undefined;
    else type = 'string';
  }

  // oneOf/anyOf → anyOf; null members become `nullable`, a single remaining member is hoisted.
  const alts = [
    ...(Array.isArray(node.anyOf) ? node.anyOf : []),
    ...(Array.isArray(node.oneOf) ? node.oneOf : []),
  ];
  let anyOf: Schema[] | undefined;
  if (alts.length > 0) {
    const cleaned: Schema[] = [];
    for (const alt of alts) {
      if (!isObj(alt)) continue;
      const c = expand(alt, ctx, depth + 1);
      if (c.type === undefined && c.nullable === true && Object.keys(c).length === 1) {
        nullable = true;
        continue;
      }
      if (Object.keys(c).length === 0) continue;
      cleaned.push(c);
    }
    if (cleaned.length === 1 && type === undefined && !typeAlternatives) {
      // `anyOf:[X, {type:null}]` (Pydantic Optional) → X + nullable; the node's own keys win (description).
      const { anyOf: _a, oneOf: _o, type: _t, ...rest } = node;
      const merged: Schema = { ...cleaned[0]!, ...rest };
      if (nullable) merged.nullable = true;
      return clean(merged, ctx, depth + 1);
    } else if (cleaned.length > 0) anyOf = cleaned;
  }
  if (typeAlternatives) {
    anyOf = [...(anyOf ?? []), ...typeAlternatives.map((t) => ({ type: t }))];
  }

  if (!type && !anyOf) {
    // Infer a type Gemini can check from the shape when the schema left it implicit.
    if (isObj(node.properties)) type = 'object';
    else if (node.items !== undefined) type = 'array';
  }
  if (type) out.type = type;
  if (anyOf) out.anyOf = anyOf;

  if (typeof node.format === 'string' && type && FORMATS[type]?.includes(node.format)) out.format = node.format;
  if (typeof node.description === 'string') out.description = node.description;
  if (nullable) out.nullable = true;
  if (enumValues) out.enum = enumValues;
  for (const k of NUMERIC_KEYS) if (typeof node[k] === 'number') out[k] = node[k];

  if (type === 'object' || (!type && isObj(node.properties))) {
    const props = isObj(node.properties) ? node.properties : undefined;
    const cleanedProps: Schema = {};
    if (props) {
      for (const [name, sub] of Object.entries(props)) {
        cleanedProps[name] = isObj(sub) ? expand(sub, ctx, depth + 1) : {};
      }
    }
    const names = Object.keys(cleanedProps);
    // An OBJECT with an empty `properties` map is a 400 ("should be non-empty for OBJECT type"): omit it.
    if (names.length > 0) {
      out.properties = cleanedProps;
      if (Array.isArray(node.required)) {
        const req = [...new Set(node.required.filter((r): r is string => typeof r === 'string' && r in cleanedProps))];
        if (req.length > 0) out.required = req;
      }
      if (Array.isArray(node.propertyOrdering)) {
        const ord = node.propertyOrdering.filter((r): r is string => typeof r === 'string' && r in cleanedProps);
        if (ord.length > 0) out.propertyOrdering = ord;
      }
    }
  }

  if (type === 'array') {
    let items: unknown = node.items;
    // Tuple forms (`items: [...]`, `prefixItems`) have no Gemini equivalent: accept any of the member types.
    if (Array.isArray(items)) items = items.length === 1 ? items[0] : { anyOf: items };
    else if (items === undefined && Array.isArray(node.prefixItems)) items = { anyOf: node.prefixItems };
    const cleanedItems = isObj(items) ? expand(items, ctx, depth + 1) : {};
    // Gemini requires `items` on ARRAY ("items: missing field"); untyped items default to strings.
    out.items = Object.keys(cleanedItems).length > 0 ? cleanedItems : { type: 'string' };
  }

  return out;
}

/**
 * Clean a tool's JSON Schema for Gemini `parameters`. Returns `undefined` when the tool takes no
 * arguments (an object schema without properties), in which case `parameters` must be omitted.
 */
export function cleanSchemaForGemini(schema: unknown): Schema | undefined {
  if (!isObj(schema)) return undefined;
  const out = expand(schema, { root: schema, stack: ['#'] }, 0);
  // Function parameters must be an OBJECT schema at the root.
  if (out.type !== 'object' && out.anyOf === undefined) out.type = 'object';
  if (out.type === 'object' && !isObj(out.properties)) return undefined;
  return out;
}

/** Clean any schema node (not necessarily an object root), e.g. for response schemas. */
export function cleanSchemaNode(schema: unknown): Schema {
  if (!isObj(schema)) return {};
  return expand(schema, { root: schema, stack: ['#'] }, 0);
}
