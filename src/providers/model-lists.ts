/** Static model lists per provider (SPEC 3.7), registered for credentials that do not list their own models. */
export const STATIC_MODELS: Record<string, readonly string[]> = {
  claude: [
    'claude-haiku-4-5-20251001', 'claude-sonnet-4-5-20250929', 'claude-sonnet-4-5-thinking', 'claude-opus-4-5-thinking',
    'claude-opus-4-5-thinking-low', 'claude-opus-4-5-thinking-medium', 'claude-opus-4-5-thinking-high',
    'claude-opus-4-5-20251101', 'claude-opus-4-1-20250805', 'claude-opus-4-20250514', 'claude-sonnet-4-20250514',
    'claude-3-7-sonnet-20250219', 'claude-3-5-haiku-20241022',
  ],
  gemini: ['gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-2.5-flash-lite', 'gemini-3-pro-preview', 'gemini-3-pro-image-preview'],
  vertex: ['gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-2.5-flash-lite', 'gemini-3-pro-preview', 'gemini-3-pro-image-preview'],
  'gemini-cli': ['gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-2.5-flash-lite', 'gemini-3-pro-preview'],
  codex: [
    'gpt-5', 'gpt-5-minimal', 'gpt-5-low', 'gpt-5-medium', 'gpt-5-high', 'gpt-5-codex', 'gpt-5-codex-low',
    'gpt-5-codex-medium', 'gpt-5-codex-high', 'gpt-5-codex-mini', 'gpt-5-codex-mini-medium', 'gpt-5-codex-mini-high',
    'gpt-5.1', 'gpt-5.1-none', 'gpt-5.1-low', 'gpt-5.1-medium', 'gpt-5.1-high', 'gpt-5.1-codex', 'gpt-5.1-codex-low',
    'gpt-5.1-codex-medium', 'gpt-5.1-codex-high', 'gpt-5.1-codex-mini', 'gpt-5.1-codex-mini-medium',
    'gpt-5.1-codex-mini-high', 'gpt-5.1-codex-max', 'gpt-5.1-codex-max-low', 'gpt-5.1-codex-max-medium',
    'gpt-5.1-codex-max-high', 'gpt-5.1-codex-max-xhigh',
  ],
  qwen: ['qwen3-coder-plus', 'qwen3-coder-flash', 'vision-model'],
  iflow: [
    'tstars2.0', 'qwen3-coder-plus', 'qwen3-max', 'qwen3-vl-plus', 'qwen3-max-preview', 'kimi-k2-0905', 'glm-4.6',
    'kimi-k2', 'kimi-k2-thinking', 'deepseek-v3.2-chat', 'deepseek-v3.2', 'deepseek-v3.1', 'deepseek-r1', 'deepseek-v3',
    'qwen3-32b', 'qwen3-235b-a22b-thinking-2507', 'qwen3-235b-a22b-instruct', 'qwen3-235b', 'minimax-m2',
  ],
};

/** Model-name suffix → (base model, reasoning effort) for Codex virtual models (SPEC 6.4). */
export function splitEffortSuffix(model: string): { base: string; effort?: string } {
  const m = /^(gpt-5(?:\.1)?(?:-codex(?:-mini|-max)?)?)-(none|minimal|low|medium|high|xhigh)$/.exec(model);
  if (m) return { base: m[1]!, effort: m[2]! };
  return { base: model };
}
