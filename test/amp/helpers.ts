import type { FakeUpstream } from '../fakes/upstream.js';

export const CLIENT_KEY = 'proxy-client-key-1';
export const AMP_KEY = 'sgamp_user_TEST_UPSTREAM';

/** Provider credentials (all on one fake model upstream) with Amp-ish aliases. */
export function localProviders(fake: FakeUpstream): Record<string, unknown> {
  return {
    'claude-api-key': [{ 'api-key': 'sk-ant-local', 'base-url': fake.url, models: [{ name: 'claude-up', alias: 'local-claude' }] }],
    'openai-compatibility': [{ name: 'fakeoai', 'base-url': `${fake.url}/v1`, 'api-key-entries': [{ 'api-key': 'sk-oai-local' }], models: [{ name: 'up-gpt', alias: 'local-gpt' }] }],
    'codex-api-key': [{ 'api-key': 'sk-codex-local', 'base-url': `${fake.url}/v1`, models: [{ name: 'gpt-5-up', alias: 'local-codex' }] }],
    'gemini-api-key': [{ 'api-key': 'AIza-local', 'base-url': fake.url, models: [{ name: 'gemini-up', alias: 'local-gemini' }] }],
  };
}

export interface Called {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export async function call(base: string, path: string, body: unknown, headers: Record<string, string> = {}, method = 'POST'): Promise<Called> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Parse an SSE body into its data payloads (JSON where possible). */
export function sseData(text: string): any[] {
  const out: any[] = [];
  for (const block of text.split('\n\n')) {
    const data = block
      .split('\n')
      .filter((l) => l.startsWith('data:'))
      .map((l) => l.slice(5).trimStart())
      .join('\n');
    if (!data) continue;
    try {
      out.push(JSON.parse(data));
    } catch {
      out.push(data);
    }
  }
  return out;
}
