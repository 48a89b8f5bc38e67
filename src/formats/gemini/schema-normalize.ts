/**
 * Gemini `Schema` (OpenAPI subset, as sent by Gemini clients in `parameters` / `responseSchema`) → plain
 * JSON Schema for the canonical request. Gemini clients often use the SDK's upper-case `Type` enum
 * ("OBJECT", "STRING") and `nullable`, which OpenAI/Anthropic upstreams reject, so we lower-case types and
 * turn `nullable:true` into `type:[t,"null"]` (the cleaner turns it back for Gemini upstreams).
 * Walks only schema positions (properties values, items, anyOf), so a property *named* "type" is safe.
 */

type Schema = Record<string, unknown>;

function isObj(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function geminiSchemaToJsonSchema(schema: unknown, depth = 0): Schema {
  if (!isObj(schema)) return {};
  if (depth > 64) return { ...schema };
  const out: Schema = {};
  for (const [k, v] of Object.entries(schema)) {
    switch (k) {
      case 'type':
        out.type = typeof v === 'string' ? v.toLowerCase() : v;
        break;
      case 'nullable':
        break;
      case 'format':
        // `format:"enum"` is Gemini-only bookkeeping; `enum` itself carries the meaning.
        if (v !== 'enum') out.format = v;
        break;
      case 'properties':
        if (isObj(v)) {
          const props: Schema = {};
          for (const [name, sub] of Object.entries(v)) props[name] = geminiSchemaToJsonSchema(sub, depth + 1);
          out.properties = props;
        } else out.properties = v;
        break;
      case 'items':
        out.items = isObj(v) ? geminiSchemaToJsonSchema(v, depth + 1) : v;
        break;
      case 'anyOf':
        out.anyOf = Array.isArray(v) ? v.map((s) => geminiSchemaToJsonSchema(s, depth + 1)) : v;
        break;
      default:
        out[k] = v;
    }
  }
  if (schema.nullable === true) {
    if (typeof out.type === 'string' && out.type !== 'null') out.type = [out.type, 'null'];
    else if (out.type === undefined && Array.isArray(out.anyOf)) out.anyOf = [...out.anyOf, { type: 'null' }];
  }
  return out;
}
