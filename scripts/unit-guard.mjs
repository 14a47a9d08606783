// Loaded into every test file of `npm test -- --unit` (scripts/run-tests.mjs). The unit suite is the tests beside
// the code, and they must be pure: a test that listens on a port, connects to one (PostgreSQL, an HTTP server) or
// starts a process (git, the CLI, a job) fails here at once, naming where it belongs, instead of making the unit
// suite slow or flaky. Temp files are allowed. Fastify's inject() is in-process and does neither.
import childProcess from 'node:child_process';
import net from 'node:net';
import { syncBuiltinESMExports } from 'node:module';

function refuse(what) {
  return function impure() {
    throw new Error(
      `unit tests are pure, but this one ${what}: move it to test/integration/ (mirroring src/) or test/e2e/`,
    );
  };
}

// Armed by the runner for the process that runs the unit tests, not for anything that inherits the flag.
if (process.env.TFC_UNIT_GUARD === '1') {
  net.Server.prototype.listen = refuse('listens on a port');
  net.Socket.prototype.connect = refuse('opens a network connection');
  for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) {
    childProcess[name] = refuse(`starts a process (child_process.${name})`);
  }
  // Named imports (`import { spawn } from 'node:child_process'`) read the ESM bindings: update them too.
  syncBuiltinESMExports();
}
