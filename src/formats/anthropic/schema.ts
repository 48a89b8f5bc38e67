import { isObject, type Json } from './wire.js';

/**
 * Anthropic requires every tool `input_schema` to be an object schema at the root and rejects
 * `oneOf`/`anyOf`/`allOf` there ("input_schema does not support oneOf, allOf, or anyOf at the top level").
 * Schemas from other formats (OpenAI strict tools, zod-generated unions) often break one of those rules,
 * so the root is normalised; nested keywords are left alone (Anthropic accepts full JSON Schema below).
 */
export function toAnthropicInputSchema(params: Record<string, unknown> | undefined): Json {
  if (!isObject(params)) return { type: 'object', properties: {} };
  const combos = ['anyOf', 'oneOf', 'allOf'].filter((k) => Array.isArray(params[k]));
  const needsFix = params.type !== 'object' || !isObject(params.properties) || combos.length > 0;
  if (!needsFix) return params;

  const out: Json = { ...params, type: 'object' };
  let properties: Json = isObject(params.properties) ? { ...params.properties } : {};
  let required: string[] | undefined = Array.isArray(params.required) ? [...(params.required as string[])] : undefined;
  for (const key of combos) {
    delete out[key];
    // Union of the branches' properties: any argument valid for one branch stays expressible.
    for (const branch of params[key] as unknown[]) {
      if (!isObject(branch) || !isObject(branch.properties)) continue;
      properties = { ...branch.properties, ...properties };
      // allOf branches all apply, so their required lists still hold; for anyOf/oneOf none is certain.
      if (key === 'allOf' && Array.isArray(branch.required)) {
        required = [...new Set([...(required ?? []), ...(branch.required as string[])])];
      }
    }
  }
  out.properties = properties;
  if (required && required.length > 0) out.required = required;
  else delete out.required;
  return out;
}
