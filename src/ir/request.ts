/**
 * Canonical request: the one in-memory shape every wire format decodes into and encodes from.
 * Plain data, no behaviour. Fields a format cannot express are dropped by that format's encoder
 * (and reported as warnings), never guessed.
 */

export interface TextPart {
  type: 'text';
  text: string;
  /** Anthropic prompt-caching marker; carried only to Anthropic-family upstreams. */
  cacheControl?: { type: string; ttl?: string };
}

export type ImageSource =
  | { kind: 'base64'; mediaType: string; data: string }
  | { kind: 'url'; url: string };

export interface ImagePart {
  type: 'image';
  source: ImageSource;
  /** OpenAI `detail` hint. */
  detail?: string;
}

/** Which provider family produced a reasoning block; signatures are only valid within their family. */
export type ReasoningFamily = 'anthropic' | 'gemini' | 'openai';

export interface ReasoningPart {
  type: 'reasoning';
  text: string;
  /** Opaque signature (Anthropic `signature`, Gemini `thoughtSignature`, Responses `encrypted_content`). Bytes kept as received. */
  signature?: string;
  /** Anthropic `redacted_thinking.data`: no text, only the opaque payload. */
  redactedData?: string;
  family?: ReasoningFamily;
  /** Responses reasoning item id, when the source had one. */
  itemId?: string;
}

export interface ToolCallPart {
  type: 'tool-call';
  id: string;
  name: string;
  /** Arguments as JSON text (always a JSON object when well-formed). */
  arguments: string;
  /** Gemini `thoughtSignature` attached to a functionCall part. */
  signature?: string;
}

export interface ToolResultPart {
  type: 'tool-result';
  callId: string;
  /** Tool name when the source carried it (Gemini needs it; others can recover it from the call). */
  name?: string;
  content: Array<TextPart | ImagePart>;
  isError?: boolean;
}

export type UserPart = TextPart | ImagePart | ToolResultPart;
export type AssistantPart = TextPart | ReasoningPart | ToolCallPart | ImagePart;

export type Message =
  | { role: 'user'; content: UserPart[] }
  | { role: 'assistant'; content: AssistantPart[] };

export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
  strict?: boolean;
}

export type ToolChoice =
  | { type: 'auto' }
  | { type: 'none' }
  | { type: 'required' }
  | { type: 'tool'; name: string };

export type ReasoningEffort = 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh';

export interface ReasoningConfig {
  /** Effort level as the caller expressed it (OpenAI-style), if any. */
  effort?: ReasoningEffort;
  /** Token budget as the caller expressed it (Anthropic/Gemini-style), if any. -1 = dynamic. */
  budgetTokens?: number;
  /** Whether the caller wants the reasoning text back. */
  includeThoughts?: boolean;
}

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json' }
  | { type: 'json_schema'; name?: string; schema: Record<string, unknown>; strict?: boolean; description?: string };

export interface CanonicalRequest {
  model: string;
  /** System / developer instructions, in order. */
  system: TextPart[];
  messages: Message[];
  tools: ToolDefinition[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stop?: string[];
  reasoning?: ReasoningConfig;
  responseFormat?: ResponseFormat;
  stream: boolean;
  /** OpenAI `stream_options.include_usage`. */
  includeUsage?: boolean;
  /** Caller-provided end-user / session metadata (Anthropic `metadata.user_id`, OpenAI `user`). */
  userId?: string;
  /** Per-provider extras that have no canonical home, keyed by format name. */
  providerOptions?: Record<string, Record<string, unknown>>;
}
