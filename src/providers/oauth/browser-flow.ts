import { callbackPort, PROVIDERS, type OAuthProvider } from './endpoints.js';
import { startCallbackServer } from './callback.js';
import { pkcePair, randomState } from './pkce.js';
import { presentAuthUrl, type LoginOptions } from './io.js';

export interface AuthCode {
  code: string;
  state: string;
  verifier: string;
  redirectUri: string;
}

/**
 * The browser half of an authorization-code login: listen on the provider's callback port, show/open the
 * authorize URL, wait for the redirect (state checked), and hand back the code for the token exchange.
 */
export async function browserAuthCode(
  provider: OAuthProvider,
  opts: LoginOptions,
  buildUrl: (p: { redirectUri: string; state: string; challenge: string }) => string,
  extra: { successRedirect?: string } = {},
): Promise<AuthCode> {
  const table = PROVIDERS[provider];
  const state = randomState();
  const { verifier, challenge } = pkcePair();
  const server = await startCallbackServer({ port: callbackPort(provider, opts.env), path: table.callbackPath!, state, successRedirect: extra.successRedirect });
  try {
    const url = buildUrl({ redirectUri: server.redirectUri, state, challenge });
    opts.io.say(`Waiting for the login callback on ${server.redirectUri}`);
    await presentAuthUrl(opts, url, server.port);
    const { code } = await server.wait(opts.timeoutMs ?? 5 * 60_000);
    opts.io.say('Authorization received; exchanging the code for tokens...');
    return { code, state, verifier, redirectUri: server.redirectUri };
  } finally {
    server.close();
  }
}
