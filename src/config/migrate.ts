/**
 * CLIProxyAPI legacy keys (SPEC 2.4) moved to their current homes. Works on the raw YAML object before
 * validation; returns human-readable notes for each migration so start-up can say what it did.
 */
type Raw = Record<string, unknown>;

function isObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function migrateLegacyKeys(raw: Raw): string[] {
  const notes: string[] = [];

  const legacyGemini = raw['generative-language-api-key'];
  if (Array.isArray(legacyGemini)) {
    const current = Array.isArray(raw['gemini-api-key']) ? (raw['gemini-api-key'] as unknown[]) : [];
    const known = new Set(current.filter(isObject).map((e) => String(e['api-key'] ?? '')));
    for (const key of legacyGemini) {
      if (typeof key === 'string' && key.trim() && !known.has(key.trim())) current.push({ 'api-key': key.trim() });
    }
    raw['gemini-api-key'] = current;
    delete raw['generative-language-api-key'];
    notes.push('generative-language-api-key → gemini-api-key[].api-key');
  }

  if (Array.isArray(raw['openai-compatibility'])) {
    for (const entry of raw['openai-compatibility'] as unknown[]) {
      if (!isObject(entry) || !Array.isArray(entry['api-keys'])) continue;
      const entries = Array.isArray(entry['api-key-entries']) ? (entry['api-key-entries'] as unknown[]) : [];
      for (const key of entry['api-keys'] as unknown[]) {
        if (typeof key === 'string' && key.trim()) entries.push({ 'api-key': key.trim() });
      }
      entry['api-key-entries'] = entries;
      delete entry['api-keys'];
      notes.push(`openai-compatibility[${String(entry.name ?? '?')}].api-keys → api-key-entries`);
    }
  }

  const ampLegacy: Array<[string, string]> = [
    ['amp-upstream-url', 'upstream-url'],
    ['amp-upstream-api-key', 'upstream-api-key'],
    ['amp-restrict-management-to-localhost', 'restrict-management-to-localhost'],
    ['amp-model-mappings', 'model-mappings'],
  ];
  for (const [oldKey, newKey] of ampLegacy) {
    if (!(oldKey in raw)) continue;
    const amp = isObject(raw.ampcode) ? raw.ampcode : {};
    const current = amp[newKey];
    const empty = current === undefined || current === '' || (Array.isArray(current) && current.length === 0);
    if (empty) amp[newKey] = raw[oldKey];
    raw.ampcode = amp;
    delete raw[oldKey];
    notes.push(`${oldKey} → ampcode.${newKey}`);
  }

  const auth = raw.auth;
  if (isObject(auth) && 'providers' in auth) {
    const keys = Array.isArray(raw['api-keys']) ? (raw['api-keys'] as unknown[]) : [];
    const providers = auth.providers;
    const list = Array.isArray(providers) ? providers : isObject(providers) ? Object.values(providers) : [];
    for (const p of list) {
      if (!isObject(p)) continue;
      const inline = p['api-keys'];
      if (Array.isArray(inline)) for (const k of inline) if (typeof k === 'string' && !keys.includes(k)) keys.push(k);
    }
    raw['api-keys'] = keys;
    delete raw.auth;
    notes.push('auth.providers (config-api-key) → api-keys');
  }
  return notes;
}
