// The unit suite in one process (scripts/run-tests.mjs --unit): imports each test file given as an argument,
// and node:test runs the tests they register, file after file. Pure tests need no process of their own, and
// starting ~60 processes with a TypeScript loader took longer than the tests themselves.
import { pathToFileURL } from 'node:url';

for (const file of process.argv.slice(2)) await import(pathToFileURL(file).href);
