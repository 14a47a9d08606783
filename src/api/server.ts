/**
 * `startServer`: the API listening on host:port (default 127.0.0.1, an OS-chosen port with 0), with graceful
 * shutdown: `close()` stops accepting, ends long-polls and event streams, and waits for requests in flight.
 */
import { buildApp, type AppDeps } from './app.js';

export interface StartedServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startServer(options: {
  host?: string;
  port?: number;
  deps: AppDeps;
}): Promise<StartedServer> {
  const app = await buildApp(options.deps);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${port}`,
    close: () => (closing ??= app.close()),
  };
}
