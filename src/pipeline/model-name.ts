/** `"model":"x"` and `"modelVersion":"x"` keys in JSON text (escaped quotes inside strings never match). */
const MODEL_FIELD = /"(model|modelVersion)"\s*:\s*"((?:[^"\\]|\\.)*)"/g;

/**
 * Restore the caller's model name in a JSON document or SSE data line without re-parsing it: the response
 * must name the model the caller asked for, not the upstream alias or version string.
 */
export function restoreModelNames(text: string, requested: string): string {
  if (!text.includes('"model')) return text;
  const replacement = JSON.stringify(requested);
  return text.replace(MODEL_FIELD, (whole, key: string, value: string) => (value === requested ? whole : `"${key}":${replacement}`));
}
