#!/usr/bin/env node
// Entry point of the `toolforge-components` command. Runs the compiled CLI (dist/, made by `npm run build`,
// which `npm ci` runs through `prepare`); in a checkout without a build it runs the TypeScript sources via tsx.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/cli/main.ts', import.meta.url).href);
}
