import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createLogger, silentLogger, unredacted } from '../../src/util/log.js';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  return { lines, log: createLogger({ destination: sink }) };
}

const flushed = () => new Promise((r) => setTimeout(r, 20));

describe('logger', () => {
  it('redacts secrets anywhere in a log object', async () => {
    const { lines, log } = capture();
    log.info({ token: 'sk-top-secret-1', cred: { apiKey: 'sk-nested-secret-2' }, headers: { authorization: 'Bearer sk-3', 'x-api-key': 'sk-4' } }, 'x');
    await flushed();
    const text = JSON.stringify(lines);
    for (const s of ['sk-top-secret-1', 'sk-nested-secret-2', 'Bearer sk-3', 'sk-4']) expect(text).not.toContain(s);
    expect(lines[0]).toMatchObject({ token: '[redacted]', cred: { apiKey: '[redacted]' } });
  });

  it('unredacted: the per-call line keeps its fields, the parent keeps redacting, and one child serves every call', async () => {
    const { lines, log } = capture();
    const calls = unredacted(log);
    expect(unredacted(log)).toBe(calls);
    calls.info({ req: 'r-1', model: 'gpt-5', credential: 'openai (sk-a...wxyz)', attempts: 1, status: 200, ms: 3 }, 'model call');
    log.info({ token: 'sk-after-child' }, 'y');
    await flushed();
    expect(lines[0]).toMatchObject({ msg: 'model call', req: 'r-1', model: 'gpt-5', credential: 'openai (sk-a...wxyz)', attempts: 1, status: 200 });
    expect(lines[1]).toMatchObject({ token: '[redacted]' });
  });

  it('unredacted follows its parent level: a silent logger stays silent', () => {
    expect(unredacted(silentLogger()).isLevelEnabled('info')).toBe(false);
  });
});
