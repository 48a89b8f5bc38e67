import type { LoginOptions, LoginResult } from './io.js';
import { claudeLogin } from './claude-login.js';
import { codexLogin } from './codex-login.js';
import { geminiLogin } from './gemini-login.js';
import { antigravityLogin } from './antigravity-login.js';
import { qwenLogin } from './qwen-login.js';
import { iflowCookieLogin, iflowLogin } from './iflow-login.js';

/** CLI login flag → its flow (SPEC 2.1). `--vertex-import` takes a file and is dispatched separately. */
export const LOGIN_FLOWS: Record<string, { title: string; run: (opts: LoginOptions) => Promise<LoginResult> }> = {
  login: { title: 'Gemini CLI (Google account)', run: geminiLogin },
  'claude-login': { title: 'Claude (Pro/Max subscription)', run: claudeLogin },
  'codex-login': { title: 'Codex (ChatGPT Plus/Pro)', run: codexLogin },
  'antigravity-login': { title: 'Antigravity (Google account)', run: antigravityLogin },
  'qwen-login': { title: 'Qwen Code', run: qwenLogin },
  'iflow-login': { title: 'iFlow', run: iflowLogin },
  'iflow-cookie': { title: 'iFlow (browser cookie)', run: iflowCookieLogin },
};

export { vertexImport } from './vertex-import.js';
export type { LoginIO, LoginOptions, LoginResult } from './io.js';
export { terminalIO } from './io.js';
