/**
 * A loopback port that refuses connections, for tests of "the service is down". Binding a port, closing it and
 * connecting to it later is racy: by then another process may listen there. Here the port stays ours for the
 * whole test: it is the local end of a connection we keep open to a server we keep listening, so nobody else
 * can bind it, and as nothing listens on it, a connection to it is refused (ECONNREFUSED).
 */
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';

export interface RefusingPort {
  readonly port: number;
  release(): Promise<void>;
}

export async function refusingPort(host = '127.0.0.1'): Promise<RefusingPort> {
  const accepted: Socket[] = [];
  const server = createServer((socket) => accepted.push(socket));
  server.listen(0, host);
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the server has no port');
  const client = connect({ host, port: address.port });
  await once(client, 'connect');
  const port = client.localPort;
  if (port === undefined) throw new Error('the connection has no local port');
  return {
    port,
    async release() {
      client.destroy();
      for (const socket of accepted) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
