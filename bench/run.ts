/**
 * `npm run bench`: runs every bench/*.bench.ts (or those whose name contains an argument) in turn. Each exports
 * `run(): Promise<void>` and prints its own figures; nothing here asserts, figures go into closing notes.
 */
import { readdirSync } from 'node:fs';

const filters = process.argv.slice(2);
const dir = new URL('./', import.meta.url);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
for (const file of files) {
  console.log(`\n== ${file.replace('.bench.ts', '')} ==`);
  const mod = (await import(new URL(file, dir).href)) as { run(): Promise<void> };
  await mod.run();
}
