import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OAuthError } from './http.js';
import type { LoginOptions, LoginResult } from './io.js';
import { safeName, writeJsonAtomic } from '../../credentials/token-file.js';

/** `--vertex-import FILE`: store a Google service-account key as a `vertex` credential (SPEC 2.8). */
export async function vertexImport(file: string, opts: LoginOptions): Promise<LoginResult> {
  let sa: Record<string, unknown>;
  try {
    sa = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new OAuthError(`cannot read service-account file ${file}: ${(err as Error).message}`);
  }
  if (sa.type !== 'service_account') throw new OAuthError(`${file} is not a service-account key (its "type" is ${JSON.stringify(sa.type)})`);
  const project = typeof sa.project_id === 'string' ? sa.project_id : '';
  const email = typeof sa.client_email === 'string' ? sa.client_email : '';
  if (!project || !email || typeof sa.private_key !== 'string') throw new OAuthError(`${file} lacks project_id, client_email or private_key`);
  // Keys pasted through shells often carry literal "\n" sequences; PEM needs real newlines.
  const normalised = { ...sa, private_key: (sa.private_key as string).replace(/\\n/g, '\n') };
  const path = join(opts.authDir, `vertex-${safeName(project)}.json`);
  await writeJsonAtomic(path, { type: 'vertex', service_account: normalised, project_id: project, email, location: 'us-central1', label: `vertex ${project}` });
  opts.io.say(`Imported service account ${email} for project ${project}.`);
  return { path, email };
}
