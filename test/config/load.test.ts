import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { ConfigError, parseConfigText, defaultConfig } from '../../src/config/load.js';

describe('config loading', () => {
  it('config.example.yaml documents only supported keys and loads without warnings', () => {
    const { config, warnings } = parseConfigText(readFileSync('config.example.yaml', 'utf8'));
    expect(warnings).toEqual([]);
    expect(config.port).toBe(8317);
    expect(config['openai-compatibility'][0]!.name).toBe('openrouter');
    expect(config.ampcode['model-mappings']).toHaveLength(2);
  });

  it('built-in defaults: port 8317, auth-dir ~/.cli-proxy-api, no keys', () => {
    const c = defaultConfig();
    expect(c.port).toBe(8317);
    expect(c['auth-dir']).toBe(`${homedir()}/.cli-proxy-api`);
    expect(c['api-keys']).toEqual([]);
    expect(c.ampcode['restrict-management-to-localhost']).toBe(false);
  });

  it('an error names the key path, the bad value and what is expected', () => {
    expect.assertions(3);
    try {
      parseConfigText('port: "eighty"\ngemini-api-key:\n  - api-key: 123\n');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const text = (err as ConfigError).problems.join('\n');
      expect(text).toContain('`port`: got "eighty" (string); expected number');
      expect(text).toContain('`gemini-api-key[0].api-key`: got 123 (number); expected string');
    }
  });

  it('YAML syntax errors are reported, not thrown raw', () => {
    expect(() => parseConfigText('port: [8317\n')).toThrow(ConfigError);
  });

  it('unknown keys are warnings, not failures', () => {
    const { config, warnings } = parseConfigText('port: 9000\nmystery-key: 1\nampcode:\n  nope: true\n');
    expect(config.port).toBe(9000);
    expect([...warnings].sort()).toEqual(['unknown key `ampcode.nope` ignored', 'unknown key `mystery-key` ignored']);
  });

  it('migrates CLIProxyAPI legacy keys', () => {
    const { config, warnings } = parseConfigText(
      [
        'generative-language-api-key: ["AIza-legacy"]',
        'amp-upstream-url: "https://ampcode.com"',
        'amp-model-mappings: [{from: a, to: b}]',
        'openai-compatibility:',
        '  - name: OR',
        '    base-url: https://x/v1',
        '    api-keys: ["k1", "k2"]',
        'auth:',
        '  providers:',
        '    - name: inline',
        '      type: config-api-key',
        '      api-keys: ["client-legacy"]',
      ].join('\n'),
    );
    expect(config['gemini-api-key'].map((e) => e['api-key'])).toEqual(['AIza-legacy']);
    expect(config.ampcode['upstream-url']).toBe('https://ampcode.com');
    expect(config.ampcode['model-mappings']).toEqual([{ from: 'a', to: 'b', regex: false }]);
    expect(config['openai-compatibility'][0]!['api-key-entries'].map((e) => e['api-key'])).toEqual(['k1', 'k2']);
    expect(config['api-keys']).toEqual(['client-legacy']);
    expect(warnings.some((w) => w.includes('generative-language-api-key'))).toBe(true);
  });

  it('normalises excluded models and headers like CLIProxyAPI', () => {
    const { config } = parseConfigText('gemini-api-key:\n  - api-key: k\n    excluded-models: [" Gemini-2.5-PRO ", "gemini-2.5-pro", "*-preview"]\n    headers: { " X-A ": " 1 ", "": "x" }\n');
    expect(config['gemini-api-key'][0]!['excluded-models']).toEqual(['gemini-2.5-pro', '*-preview']);
    expect(config['gemini-api-key'][0]!.headers).toEqual({ 'X-A': '1' });
  });

  it('openai-compatibility without base-url is an error naming the entry', () => {
    expect(() => parseConfigText('openai-compatibility:\n  - name: x\n')).toThrow(/openai-compatibility\[0\]\.base-url/);
  });
});
