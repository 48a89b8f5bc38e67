import type { CanonicalRequest } from '../../ir/index.js';
import { isObject, type Json } from './wire.js';

/**
 * What the Anthropic decoder keeps in `providerOptions.anthropic` so that an Anthropic encoder can send it back:
 * things with no canonical home. Other formats' encoders ignore it.
 */
export interface AnthropicOptions {
  /** Unknown top-level request fields (context_management, container, mcp_servers, service_tier, …), verbatim. */
  passthrough?: Json;
  /** Server tools (`type` web_search_20250305, bash_…, text_editor_…, …), verbatim. */
  serverTools?: Json[];
  /** Per client-tool name: extra tool keys (cache_control, defer_loading, input_examples, …), verbatim. */
  toolExtras?: Record<string, Json>;
  /** The raw `output_config.effort` (keeps `max`, which has no canonical level of its own). */
  effort?: string;
  /** Other `output_config` keys besides effort and format. */
  outputConfig?: Json;
}

export function anthropicOptions(req: CanonicalRequest): AnthropicOptions {
  const o = req.providerOptions?.anthropic;
  return isObject(o) ? (o as AnthropicOptions) : {};
}
