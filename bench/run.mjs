// `npm run bench`: every benchmark, one after another (ratios are only meaningful within a run). Each suite runs
// in a fresh Node process so one suite's heap and JIT state (its load generators, garbage) cannot land in the
// next one's measurements. `npm run bench -- amp` runs only the suites whose file name contains "amp".
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const suites = ['./passthrough.mjs', './translation.mjs', './router-select.mjs', './amp-native.mjs', './amp-turn-encode.mjs'];
const only = process.argv[2];
let failed = false;
for (const file of suites) {
  if (only && !file.includes(only)) continue;
  const path = fileURLToPath(new URL(file, import.meta.url));
  if (!existsSync(path)) continue;
  const r = spawnSync(process.execPath, [path], { stdio: 'inherit' });
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
