// Runs every *.test.ts under src/ and test/ with Node's built-in test runner (TypeScript through tsx).
// Node 20's `--test` takes no globs, so the files are listed here. Arguments filter by substring of the path:
//   npm test -- plan config   → only test files whose path contains "plan" or "config".
//   npm test -- --unit        → only the pure unit tests beside the code (src/**/*.test.ts), in seconds: all in
//                               one process, under scripts/unit-guard.mjs, which fails a test that listens on a
//                               port, connects to one or starts a process (those belong in test/integration or
//                               test/e2e). `npm test -- --unit plan` filters them like the others.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function findTests(dir) {
  let out = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out = out.concat(findTests(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const args = process.argv.slice(2);
const unit = args.includes('--unit');
const filters = args.filter((a) => !a.startsWith('-'));
const flags = args.filter((a) => a.startsWith('-') && a !== '--unit');
const files = (unit ? ['src'] : ['src', 'test'])
  .flatMap((d) => findTests(d))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
// The unit tests run in one process (scripts/unit-entry.mjs), under the guard; the others one process a file.
const argv = unit
  ? ['--import', 'tsx', '--import', './scripts/unit-guard.mjs', ...flags, 'scripts/unit-entry.mjs', ...files]
  : ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...flags, ...files];
const env = unit ? { ...process.env, TFC_UNIT_GUARD: '1' } : process.env;
const result = spawnSync(process.execPath, argv, { stdio: 'inherit', env });
process.exit(result.status ?? 1);
