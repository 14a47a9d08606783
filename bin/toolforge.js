#!/usr/bin/env node
// A minimal `toolforge` dispatcher, as on Toolforge bastions: `toolforge [-v] [-d] <sub> args…` runs the
// executable `toolforge-<sub>` found on $PATH (so `toolforge components deploy` runs this package's CLI), with
// TOOLFORGE_CLI=1, TOOLFORGE_VERBOSE and TOOLFORGE_DEBUG set, and exits with its exit code.
import { spawn } from 'node:child_process';

const args = process.argv.slice(2);
let verbose = false;
let debug = false;
while (args[0] === '-v' || args[0] === '--verbose' || args[0] === '-d' || args[0] === '--debug') {
  if (args[0] === '-v' || args[0] === '--verbose') verbose = true;
  else debug = true;
  args.shift();
}
const sub = args.shift();
if (!sub || sub === '--help' || sub === '-h') {
  console.log(
    'Usage: toolforge [-v] [-d] <command> [args]...\n\nCommands: components (and any toolforge-<name> on $PATH)',
  );
  process.exit(sub ? 0 : 2);
}
if (sub === '--version') {
  console.log('Toolforge CLI, version 0.1.0');
  process.exit(0);
}
const child = spawn(`toolforge-${sub}`, args, {
  stdio: 'inherit',
  env: {
    ...process.env,
    TOOLFORGE_CLI: '1',
    TOOLFORGE_VERBOSE: verbose ? '1' : '0',
    TOOLFORGE_DEBUG: debug ? '1' : '0',
  },
});
child.on('error', () => {
  console.error(`Error: no such command "${sub}" (no toolforge-${sub} on $PATH)`);
  process.exit(2);
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
