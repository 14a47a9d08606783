/**
 * Is a port free for a component to listen on? Checked before a component starts, so that a port another
 * program holds (common on a developer's machine) fails the component at once, naming the port and, when the
 * machine shows it, that program — instead of a crash loop on EADDRINUSE, and instead of reporting someone
 * else's server as the component's published URL.
 */
import { createServer } from 'node:net';
import { portOwner } from '../process/listening-ports.js';

export type PortCheck = { readonly free: true } | { readonly free: false; readonly reason: string };

/** Binds `host:port` for a moment; EADDRINUSE (or EACCES) means the component could not bind it either. */
function tryListen(host: string, port: number): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

export async function checkPortFree(host: string, port: number): Promise<PortCheck> {
  const error = await tryListen(host, port);
  if (!error) return { free: true };
  if (error.code !== 'EADDRINUSE')
    return { free: false, reason: `cannot listen on ${host}:${port}: ${error.message}` };
  const owner = await portOwner(port);
  const who =
    owner === undefined
      ? 'another program (not one of yours that this machine lets us see)'
      : owner.pid === process.pid
        ? `this components service itself (pid ${owner.pid})`
        : `another program: pid ${owner.pid}${owner.command ? ` (${owner.command})` : ''}`;
  return {
    free: false,
    reason: `port ${port} on ${host} is already in use by ${who}; stop it or set another run.port`,
  };
}
