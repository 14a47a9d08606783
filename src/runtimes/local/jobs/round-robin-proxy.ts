/**
 * The declared port of a job with several replicas: each replica listens on its own internal port and this
 * small reverse proxy hands requests to the ready ones in turn (503 when none is ready). Plain HTTP only;
 * WebSocket upgrades are not proxied.
 */
import { createServer, request, type Server } from 'node:http';

export class RoundRobinProxy {
  private server?: Server;
  private next = 0;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly readyPorts: () => number[],
  ) {}

  listen(): Promise<void> {
    const server = createServer((req, res) => {
      const ports = this.readyPorts();
      if (ports.length === 0) {
        res.writeHead(503, { 'content-type': 'text/plain' }).end('no ready replica\n');
        return;
      }
      const port = ports[this.next++ % ports.length];
      const upstream = request(
        { host: this.host, port, method: req.method, path: req.url, headers: req.headers, agent: false },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end('replica unavailable\n');
      });
      req.pipe(upstream);
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server?.listening) return Promise.resolve();
    return new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
