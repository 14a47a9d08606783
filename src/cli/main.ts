/**
 * Process entry of the CLI: runs the command tree and turns every failure into one readable line on stderr and
 * an exit code (1 for errors, 2 for usage errors, as upstream's click CLI). A stack trace only with --debug.
 */
import { CommanderError } from 'commander';
import { buildProgram } from './program.js';
import { UserError } from '../errors.js';

const debug =
  process.argv.includes('--debug') || process.argv.includes('-d') || process.env.TOOLFORGE_DEBUG === '1';

function fail(error: unknown): never {
  if (error instanceof CommanderError) {
    // commander already printed help/usage; it says which exit code it wants (0 for --help/--version).
    process.exit(error.exitCode === 1 ? 2 : error.exitCode);
  }
  if (debug && error instanceof Error) console.error(error.stack);
  const message = error instanceof Error ? error.message : String(error);
  console.error(message.startsWith('Error') ? message : `Error: ${message}`);
  process.exit(error instanceof UserError ? error.exitCode : 1);
}

try {
  const program = await buildProgram();
  await program.parseAsync(process.argv);
} catch (error) {
  fail(error);
}
