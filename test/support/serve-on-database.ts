/**
 * A server process for multi-replica tests: `node --import tsx test/support/serve-on-database.ts <database-url>`
 * starts the API on 127.0.0.1 (OS-chosen port) over that database with the in-memory fake runtime, prints
 * `listening <url>` and shuts down cleanly on SIGTERM.
 */
import { createStore } from '../../src/store/create-store.js';
import { startServer } from '../../src/api/server.js';
import { FakeRuntime } from '../../src/runtimes/fake/fake-runtime.js';

const url = process.argv[2];
if (!url) {
  console.error('usage: serve-on-database.ts <database-url>');
  process.exit(2);
}
const store = await createStore(url);
const server = await startServer({ deps: { store, runtime: new FakeRuntime() } });
console.log(`listening ${server.url}`);
process.once('SIGTERM', () => {
  void server
    .close()
    .then(() => store.close())
    .finally(() => process.exit(0));
});
