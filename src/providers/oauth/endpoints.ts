/**
 * OAuth endpoints and client identities per provider (SPEC 3.1, 4). Every URL can be overridden through the
 * environment as `CLIPROXY_<PROVIDER>_<NAME>_URL` (e.g. `CLIPROXY_CLAUDE_TOKEN_URL`), so gateways and tests can
 * point logins and refreshes elsewhere without any special mode. Callback ports likewise via
 * `CLIPROXY_<PROVIDER>_CALLBACK_PORT` (0 = any free port; the redirect URI then carries the real port).
 */
export type OAuthProvider = 'claude' | 'codex' | 'gemini' | 'antigravity' | 'qwen' | 'iflow';

export type Env = Record<string, string | undefined>;

interface ProviderTable {
  clientId: string;
  clientSecret?: string;
  scopes: string[];
  callbackPort?: number;
  callbackPath?: string;
  urls: Record<string, string>;
}

const GOOGLE_SCOPES = [
  'https://www.googleapis.com/auth/cloud-platform',
  'https://www.googleapis.com/auth/userinfo.email',
  'https://www.googleapis.com/auth/userinfo.profile',
];

export const PROVIDERS: Record<OAuthProvider, ProviderTable> = {
  claude: {
    clientId: '9d1c250a-e61b-44d9-88ed-5944d1962f5e',
    scopes: ['org:create_api_key', 'user:profile', 'user:inference'],
    callbackPort: 54545,
    callbackPath: '/callback',
    urls: {
      auth: 'https://claude.ai/oauth/authorize',
      token: 'https://console.anthropic.com/v1/oauth/token',
    },
  },
  codex: {
    clientId: 'app_EMoamEEZ73f0CkXaXp7hrann',
    scopes: ['openid', 'email', 'profile', 'offline_access'],
    callbackPort: 1455,
    callbackPath: '/auth/callback',
    urls: {
      auth: 'https://auth.openai.com/oauth/authorize',
      token: 'https://auth.openai.com/oauth/token',
    },
  },
  gemini: {
    clientId: '681255809395-oo8ft2oprdrnp9e3aqf6av3hmdib135j.apps.googleusercontent.com',
    clientSecret: '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',
    scopes: GOOGLE_SCOPES,
    callbackPort: 8085,
    callbackPath: '/oauth2callback',
    urls: {
      auth: 'https://accounts.google.com/o/oauth2/auth',
      token: 'https://oauth2.googleapis.com/token',
      userinfo: 'https://www.googleapis.com/oauth2/v1/userinfo?alt=json',
      projects: 'https://cloudresourcemanager.googleapis.com/v1/projects',
      api: 'https://cloudcode-pa.googleapis.com',
      serviceusage: 'https://serviceusage.googleapis.com',
    },
  },
  antigravity: {
    clientId: '1071006060591-tmhssin2h21lcre235vtolojh4g403ep.apps.googleusercontent.com',
    clientSecret: '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',
    scopes: [
      ...GOOGLE_SCOPES,
      'https://www.googleapis.com/auth/cclog',
      'https://www.googleapis.com/auth/experimentsandconfigs',
    ],
    callbackPort: 51121,
    callbackPath: '/oauth-callback',
    urls: {
      auth: 'https://accounts.google.com/o/oauth2/v2/auth',
      token: 'https://oauth2.googleapis.com/token',
      userinfo: 'https://www.googleapis.com/oauth2/v1/userinfo?alt=json',
      api: 'https://cloudcode-pa.googleapis.com',
    },
  },
  qwen: {
    clientId: 'f0304373b74a44d2b584a3fb70ca9e56',
    scopes: ['openid', 'profile', 'email', 'model.completion'],
    urls: {
      device: 'https://chat.qwen.ai/api/v1/oauth2/device/code',
      token: 'https://chat.qwen.ai/api/v1/oauth2/token',
    },
  },
  iflow: {
    clientId: '10009311001',
    clientSecret: '4Z3YjXycVsQvyGF1etiNlIBB4RsqSDtW',
    scopes: [],
    callbackPort: 11451,
    callbackPath: '/oauth2callback',
    urls: {
      auth: 'https://iflow.cn/oauth',
      token: 'https://iflow.cn/oauth/token',
      userinfo: 'https://iflow.cn/api/oauth/getUserInfo',
      success: 'https://iflow.cn/oauth/success',
      apikey: 'https://platform.iflow.cn/api/openapi/apikey',
    },
  },
};

/** One provider's endpoint URL, honouring `CLIPROXY_<PROVIDER>_<NAME>_URL`. */
export function endpoint(provider: OAuthProvider, name: string, env: Env = process.env): string {
  const override = env[`CLIPROXY_${provider.toUpperCase()}_${name.toUpperCase()}_URL`]?.trim();
  const url = override || PROVIDERS[provider].urls[name];
  if (!url) throw new Error(`no ${name} endpoint for ${provider}`);
  return url;
}

/** The local callback port: the provider's fixed port unless `CLIPROXY_<PROVIDER>_CALLBACK_PORT` says otherwise. */
export function callbackPort(provider: OAuthProvider, env: Env = process.env): number {
  const v = env[`CLIPROXY_${provider.toUpperCase()}_CALLBACK_PORT`]?.trim();
  if (v !== undefined && v !== '' && /^\d+$/.test(v)) return Number(v);
  return PROVIDERS[provider].callbackPort ?? 0;
}
