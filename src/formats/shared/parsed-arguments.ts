import type { ToolCallPart } from '../../ir/index.js';

/**
 * Tool-call arguments are canonical JSON text, but Gemini and Anthropic carry them as objects: translating
 * between those two would stringify and re-parse every call. Decoders that start from an object remember it
 * here (keyed by the part, so it dies with the request); encoders that need an object use it when present.
 * Remembered objects are shared: encoders must not mutate them.
 */
const parsed = new WeakMap<ToolCallPart, Record<string, unknown>>();

export function rememberArguments(part: ToolCallPart, value: Record<string, unknown>): ToolCallPart {
  parsed.set(part, value);
  return part;
}

export function rememberedArguments(part: ToolCallPart): Record<string, unknown> | undefined {
  return parsed.get(part);
}
