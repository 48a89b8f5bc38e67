import { describe, expect, it } from 'vitest';
import { parseRetryAfter, parseGoDuration } from '../../src/router/retry-after.js';
import { classifyFailure } from '../../src/router/failure.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');

describe('reset hints from every provider', () => {
  it('Retry-After in seconds and as an HTTP date', () => {
    expect(parseRetryAfter({ 'retry-after': '12' }, undefined, NOW)).toBe(12_000);
    expect(parseRetryAfter({ 'retry-after': new Date(NOW + 30_000).toUTCString() }, undefined, NOW)).toBe(30_000);
  });

  it('retry-after-ms wins over Retry-After', () => {
    expect(parseRetryAfter({ 'retry-after-ms': '250', 'retry-after': '9' }, undefined, NOW)).toBe(250);
  });

  it('Anthropic rate-limit reset headers (RFC 3339) and the subscription unified reset (epoch seconds)', () => {
    expect(parseRetryAfter({ 'anthropic-ratelimit-tokens-reset': new Date(NOW + 45_000).toISOString() }, undefined, NOW)).toBe(45_000);
    expect(parseRetryAfter({ 'anthropic-ratelimit-unified-reset': String((NOW + 3_600_000) / 1000) }, undefined, NOW)).toBe(3_600_000);
  });

  it('OpenAI x-ratelimit-reset-* durations', () => {
    expect(parseRetryAfter({ 'x-ratelimit-reset-requests': '1m30s', 'x-ratelimit-reset-tokens': '250ms' }, undefined, NOW)).toBe(90_000);
    expect(parseGoDuration('1h2m3.5s')).toBe(3_723_500);
    expect(parseGoDuration('soon')).toBeUndefined();
  });

  it('Google RetryInfo in the error body', () => {
    const body = JSON.stringify({ error: { code: 429, status: 'RESOURCE_EXHAUSTED', details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '3.5s' }] } });
    expect(parseRetryAfter({}, body, NOW)).toBe(3500);
  });

  it('Codex resets_in_seconds and resets_at', () => {
    expect(parseRetryAfter({}, JSON.stringify({ error: { type: 'usage_limit_reached', resets_in_seconds: 600 } }), NOW)).toBe(600_000);
    expect(parseRetryAfter({}, JSON.stringify({ error: { type: 'usage_limit_reached', resets_at: (NOW + 120_000) / 1000 } }), NOW)).toBe(120_000);
  });

  it('no hint at all', () => {
    expect(parseRetryAfter({}, '{"error":{"message":"slow down"}}', NOW)).toBeUndefined();
  });
});

describe('failure classification', () => {
  it.each([400, 413, 422])('%i is request-scoped (no retry, no cooling)', (status) => {
    expect(classifyFailure({ status, message: 'x' })).toEqual({ retry: false, cool: false });
  });

  it.each([429, 500, 502, 503, 504, 529, 408, 401, 403, 404])('%i moves to the next credential', (status) => {
    expect(classifyFailure({ status, message: 'x' }).retry).toBe(true);
  });

  it('connect errors, resets, timeouts and empty streams are retryable', () => {
    expect(classifyFailure({ status: 502, message: 'ECONNRESET', transport: true }).retry).toBe(true);
  });

  it('a 429 mentioning tokens is still a rate limit, not a context-length error', () => {
    expect(classifyFailure({ status: 429, message: 'Rate limit reached: too many tokens per min' }).retry).toBe(true);
  });

  it('context-length and invalid-request messages are request-scoped', () => {
    expect(classifyFailure({ status: 403, message: 'x', code: 'permission_error' }).retry).toBe(true);
    expect(classifyFailure({ status: 404, message: 'This model maximum context length is 128000 tokens' }).retry).toBe(false);
    expect(classifyFailure({ status: 409, message: 'x', code: 'invalid_request_error' }).retry).toBe(false);
  });
});
