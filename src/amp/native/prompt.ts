import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { TextPart } from '../../ir/index.js';

/** The built-in agent prompt shipped with cliproxy (`prompts/amp-agent.md` at the package root). */
export const BUILTIN_PROMPT_PATH = fileURLToPath(new URL('../../../prompts/amp-agent.md', import.meta.url));

const cache = new Map<string, Promise<string>>();

/** The agent prompt: `ampcode.system-prompt-file` when set, else the built-in one (read once per path). */
export function loadAgentPrompt(overridePath: string): Promise<string> {
  const path = overridePath || BUILTIN_PROMPT_PATH;
  let p = cache.get(path);
  if (!p) {
    p = readFile(path, 'utf8').catch((err: Error) => {
      cache.delete(path);
      throw new Error(`cannot read agent system prompt ${path}: ${err.message}`);
    });
    cache.set(path, p);
  }
  return p;
}

/** What the executor told us about its machine (executor_environment_snapshot.environment). */
export interface EnvironmentInfo {
  workingDirectory?: string;
  workspaceRoot?: string;
  hostname?: string;
  username?: string;
  rootDirectoryListing?: string | null;
  platform?: unknown;
  git?: { branch?: string };
}

export interface GuidanceFile {
  uri: string;
  content?: string;
}

/** System text for one inference: the agent prompt, the environment, then the guidance files. */
export function systemParts(prompt: string, env: EnvironmentInfo | undefined, guidance: readonly GuidanceFile[], now = new Date()): TextPart[] {
  const lines: string[] = ['# Environment'];
  if (env?.workingDirectory) lines.push(`Working directory: ${env.workingDirectory}`);
  if (env?.workspaceRoot && env.workspaceRoot !== env.workingDirectory) lines.push(`Workspace root: ${env.workspaceRoot}`);
  const platform = env?.platform as { os?: string; osVersion?: string; cpuArchitecture?: string } | string | undefined;
  if (typeof platform === 'string') lines.push(`Platform: ${platform}`);
  else if (platform?.os) lines.push(`Operating system: ${platform.os}${platform.osVersion ? ` ${platform.osVersion}` : ''}${platform.cpuArchitecture ? ` (${platform.cpuArchitecture})` : ''}`);
  if (env?.git?.branch) lines.push(`Git branch: ${env.git.branch}`);
  lines.push(`Today's date: ${now.toISOString().slice(0, 10)}`);
  if (env?.rootDirectoryListing) lines.push('', 'Listing of the working directory:', '```', env.rootDirectoryListing.trim(), '```');
  const parts: TextPart[] = [{ type: 'text', text: prompt.trim() }, { type: 'text', text: lines.join('\n') }];
  const docs = guidance.filter((g) => g.content && g.content.trim());
  if (docs.length) {
    parts.push({ type: 'text', text: ['# Guidance files', ...docs.map((g) => `## ${fileLabel(g.uri)}\n\n${g.content!.trim()}`)].join('\n\n') });
  }
  return parts;
}

function fileLabel(uri: string): string {
  return uri.startsWith('file://') ? decodeURIComponent(uri.slice('file://'.length)) : uri;
}
