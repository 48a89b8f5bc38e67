import { z } from 'zod';

/**
 * config.yaml as CLIProxyAPI defines it (SPEC 2.2-2.5), plus our additions (routing, streaming, ampcode.threads).
 * Objects are strict so unknown keys surface as issues; `load.ts` turns those into warnings, not failures.
 */

const str = z.string();
const trimmed = z.string().transform((s) => s.trim());
const headers = z
  .record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String))
  .optional()
  .transform((h) => {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(h ?? {})) if (k.trim() && v.trim()) out[k.trim()] = v.trim();
    return out;
  });
const excluded = z
  .array(z.string())
  .optional()
  .transform((list) => [...new Set((list ?? []).map((s) => s.trim().toLowerCase()).filter(Boolean))]);
const modelAlias = z.strictObject({ name: trimmed, alias: trimmed.optional().default('') });
const models = z.array(modelAlias).optional().default([]);
const proxyUrl = trimmed.optional().default('');
const priority = z.number().int().optional();

export const geminiKeySchema = z.strictObject({
  'api-key': trimmed.pipe(z.string().min(1, 'must not be empty')),
  'base-url': trimmed.optional().default(''),
  'proxy-url': proxyUrl,
  headers,
  'excluded-models': excluded,
  models,
  prefix: trimmed.optional().default(''),
  priority,
});

export const claudeKeySchema = geminiKeySchema;
export const codexKeySchema = geminiKeySchema;
export const vertexKeySchema = geminiKeySchema;

export const openAICompatSchema = z.strictObject({
  name: trimmed.pipe(z.string().min(1, 'must not be empty')),
  'base-url': trimmed.pipe(z.string().min(1, 'is required for openai-compatibility entries')),
  headers,
  'api-key-entries': z
    .array(z.strictObject({ 'api-key': trimmed.optional().default(''), 'proxy-url': proxyUrl }))
    .optional()
    .default([]),
  /** Legacy form, migrated into api-key-entries. */
  'api-keys': z.array(z.string()).optional(),
  models,
  'excluded-models': excluded,
  prefix: trimmed.optional().default(''),
  priority,
});

const modelMapping = z.strictObject({
  from: trimmed,
  to: trimmed,
  regex: z.boolean().optional().default(false),
});

export const ampcodeSchema = z.strictObject({
  'upstream-url': trimmed.optional().default(''),
  'upstream-api-key': trimmed.optional().default(''),
  'upstream-api-keys': z
    .array(z.strictObject({ 'upstream-api-key': trimmed, 'api-keys': z.array(trimmed).default([]) }))
    .optional()
    .default([]),
  'restrict-management-to-localhost': z.boolean().optional().default(false),
  'force-model-mappings': z.boolean().optional().default(false),
  'model-mappings': z.array(modelMapping).optional().default([]),
  /** Native Amp CLI threads: run the agent loop here (`local`) or forward to Amp's hosted agent (`upstream`). */
  threads: z.enum(['local', 'upstream']).optional().default('local'),
  /** Agent mode → model table for locally served native Amp threads. */
  'mode-models': z.record(z.string(), trimmed).optional().default({}),
  /** Path of a file replacing the built-in agent system prompt. */
  'system-prompt-file': trimmed.optional().default(''),
  /** SQLite file holding native Amp threads (default: `amp-threads.db` inside auth-dir). */
  'threads-db': trimmed.optional().default(''),
  /** Native Amp threads kept in the store; the least recently used beyond this are deleted. */
  'threads-max': z.number().int().positive().optional().default(1000),
});

const payloadRule = z.strictObject({
  models: z
    .array(z.strictObject({ name: trimmed, protocol: trimmed.optional().default('') }))
    .default([]),
  params: z.record(z.string(), z.unknown()).default({}),
});
const payloadFilterRule = z.strictObject({
  models: z
    .array(z.strictObject({ name: trimmed, protocol: trimmed.optional().default('') }))
    .default([]),
  params: z.array(z.string()).default([]),
});

export const configSchema = z.strictObject({
  host: trimmed.optional().default(''),
  port: z.number().int().min(0).max(65535).optional().default(8317),
  tls: z
    .strictObject({
      enable: z.boolean().optional().default(false),
      cert: trimmed.optional().default(''),
      key: trimmed.optional().default(''),
    })
    .optional()
    .default({ enable: false, cert: '', key: '' }),
  'remote-management': z
    .strictObject({
      'allow-remote': z.boolean().optional().default(false),
      'secret-key': str.optional().default(''),
      'disable-control-panel': z.boolean().optional().default(false),
      'panel-github-repository': str.optional(),
    })
    .optional()
    .default({ 'allow-remote': false, 'secret-key': '', 'disable-control-panel': false }),
  'auth-dir': trimmed.optional().default('~/.cli-proxy-api'),
  'api-keys': z
    .array(z.union([z.string(), z.number()]).transform((v) => String(v).trim()))
    .nullable()
    .optional()
    .transform((keys) => [...new Set((keys ?? []).filter(Boolean))]),
  debug: z.boolean().optional().default(false),
  'logging-to-file': z.boolean().optional().default(false),
  'logs-max-total-size-mb': z.number().optional(),
  'usage-statistics-enabled': z.boolean().optional().default(false),
  'proxy-url': proxyUrl,
  'request-retry': z.number().int().min(0).optional().default(0),
  'max-retry-interval': z.number().int().min(0).optional().default(0),
  'max-retry-credentials': z.number().int().min(0).optional().default(0),
  'quota-exceeded': z
    .strictObject({
      'switch-project': z.boolean().optional().default(false),
      'switch-preview-model': z.boolean().optional().default(false),
    })
    .optional()
    .default({ 'switch-project': false, 'switch-preview-model': false }),
  'ws-auth': z.boolean().optional().default(false),
  'request-log': z.boolean().optional().default(false),
  'error-logs-max-files': z.number().int().min(0).optional().default(10),
  'disable-cooling': z.boolean().optional().default(false),
  'force-model-prefix': z.boolean().optional().default(false),
  'nonstream-keepalive-interval': z.number().min(0).optional().default(0),
  'commercial-mode': z.boolean().optional(),
  'passthrough-headers': z.boolean().optional(),
  streaming: z
    .strictObject({
      'keepalive-seconds': z.number().min(0).optional().default(15),
      'bootstrap-retries': z.number().int().min(0).optional(),
      'first-byte-timeout-seconds': z.number().min(0).optional().default(120),
      'idle-timeout-seconds': z.number().min(0).optional().default(300),
    })
    .optional()
    .default({ 'keepalive-seconds': 15, 'first-byte-timeout-seconds': 120, 'idle-timeout-seconds': 300 }),
  routing: z
    .strictObject({
      strategy: z.enum(['round-robin', 'fill-first', 'priority']).optional().default('round-robin'),
      'session-affinity': z.boolean().optional().default(false),
      'session-affinity-ttl': z.union([z.number(), z.string()]).optional().default('1h'),
      'max-cooldown-seconds': z.number().min(1).optional().default(1800),
      'credential-header': z.boolean().optional().default(false),
    })
    .optional()
    .default({ strategy: 'round-robin', 'session-affinity': false, 'session-affinity-ttl': '1h', 'max-cooldown-seconds': 1800, 'credential-header': false }),
  'gemini-api-key': z.array(geminiKeySchema).nullable().optional().transform((v) => v ?? []),
  'claude-api-key': z.array(claudeKeySchema).nullable().optional().transform((v) => v ?? []),
  'codex-api-key': z.array(codexKeySchema).nullable().optional().transform((v) => v ?? []),
  'vertex-api-key': z.array(vertexKeySchema).nullable().optional().transform((v) => v ?? []),
  'openai-compatibility': z.array(openAICompatSchema).nullable().optional().transform((v) => v ?? []),
  'oauth-excluded-models': z
    .record(z.string(), z.array(z.string()))
    .nullable()
    .optional()
    .transform((m) => {
      const out: Record<string, string[]> = {};
      for (const [k, v] of Object.entries(m ?? {})) {
        out[k.trim().toLowerCase()] = [...new Set(v.map((s) => s.trim().toLowerCase()).filter(Boolean))];
      }
      return out;
    }),
  'oauth-model-alias': z.record(z.string(), z.array(z.strictObject({ name: trimmed, alias: trimmed, fork: z.boolean().optional() }))).optional(),
  payload: z
    .strictObject({
      default: z.array(payloadRule).optional().default([]),
      override: z.array(payloadRule).optional().default([]),
      filter: z.array(payloadFilterRule).optional().default([]),
    })
    .optional()
    .default({ default: [], override: [], filter: [] }),
  ampcode: ampcodeSchema.optional().default(ampcodeSchema.parse({})),
});

export type Config = z.output<typeof configSchema>;
export type GeminiKeyEntry = z.output<typeof geminiKeySchema>;
export type OpenAICompatEntry = z.output<typeof openAICompatSchema>;
export type AmpcodeConfig = z.output<typeof ampcodeSchema>;
export type ModelMapping = z.output<typeof modelMapping>;
export type PayloadRule = z.output<typeof payloadRule>;
