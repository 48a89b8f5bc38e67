import type { ExecutorKind } from '../credentials/types.js';
import type { Executor } from './types.js';
import { openAICompatExecutor } from './openai-compat.js';
import { claudeExecutor } from './claude.js';
import { geminiExecutor, vertexExecutor } from './gemini.js';
import { codexExecutor } from './codex.js';
import { geminiCliExecutor } from './gemini-cli.js';
import { antigravityExecutor } from './antigravity.js';
import { qwenExecutor } from './qwen.js';
import { iflowExecutor } from './iflow.js';

/** The executor table: every provider folder registers here. */
const EXECUTORS = new Map<ExecutorKind, Executor>([
  ['openai-compat', openAICompatExecutor],
  ['claude', claudeExecutor],
  ['gemini', geminiExecutor],
  ['vertex', vertexExecutor],
  ['codex', codexExecutor],
  ['gemini-cli', geminiCliExecutor],
  ['antigravity', antigravityExecutor],
  ['qwen', qwenExecutor],
  ['iflow', iflowExecutor],
]);

export function registerExecutor(executor: Executor): void {
  EXECUTORS.set(executor.kind, executor);
}

export function executorFor(kind: ExecutorKind): Executor | undefined {
  return EXECUTORS.get(kind);
}

export type { Executor } from './types.js';
