import type { ListedModel } from '../router/registry.js';

/** Model-list bodies in each client API's shape. */
const CREATED = 1_735_689_600; // fixed: the registry has no creation dates of its own

export function openAIModelList(models: readonly ListedModel[]): Record<string, unknown> {
  return { object: 'list', data: models.map((m) => ({ id: m.id, object: 'model', created: CREATED, owned_by: m.provider })) };
}

export function anthropicModelList(models: readonly ListedModel[]): Record<string, unknown> {
  const data = models.map((m) => ({
    type: 'model',
    id: m.id,
    display_name: m.id,
    created_at: new Date(CREATED * 1000).toISOString(),
  }));
  return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null };
}

export function geminiModel(m: ListedModel): Record<string, unknown> {
  return {
    name: `models/${m.id}`,
    version: '001',
    displayName: m.id,
    description: `${m.id} served by cliproxy (${m.provider})`,
    inputTokenLimit: 1_048_576,
    outputTokenLimit: 65_536,
    supportedGenerationMethods: ['generateContent', 'streamGenerateContent', 'countTokens'],
  };
}

export function geminiModelList(models: readonly ListedModel[]): Record<string, unknown> {
  return { models: models.map(geminiModel) };
}
