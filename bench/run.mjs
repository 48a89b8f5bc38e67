// `npm run bench`: every benchmark, one after another, in one run (ratios are only meaningful within a run).
import { existsSync } from 'node:fs';

const suites = [
  ['./passthrough.mjs', 'benchPassthrough'],
  ['./translation.mjs', 'benchTranslation'],
  ['./router-select.mjs', 'benchRouterSelect'],
  ['./amp-native.mjs', 'benchAmpNative'],
];
const only = process.argv[2];
for (const [file, fn] of suites) {
  if (only && !file.includes(only)) continue;
  if (!existsSync(new URL(file, import.meta.url))) continue;
  const mod = await import(file);
  if (typeof mod[fn] === 'function') await mod[fn]();
}
