/**
 * Test helpers for the CLI: a small real HTTP server on 127.0.0.1 answering with upstream-shaped responses
 * (test/fixtures/cli/upstream-responses.json) and recording what it received, and a runner that spawns the real
 * CLI (`node --import tsx src/cli/main.ts …`) against it, with a HOME of its own (no toolforge config or
 * kubeconfig of the machine leaks in).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export type Handler = (request: RecordedRequest, response: ServerResponse) => void | Promise<void>;

export interface Route {
  readonly method: string;
  /** Path without the query string, e.g. `/v1/tool/t1/config`. */
  readonly path: string;
  readonly status?: number;
  readonly body?: unknown;
  /** Raw text instead of JSON. */
  readonly text?: string;
  readonly handler?: Handler;
}

export interface TestApi {
  readonly url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

interface Exchange {
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly body: unknown;
}

const fixtures = JSON.parse(
  readFileSync(fileURLToPath(new URL('../fixtures/cli/upstream-responses.json', import.meta.url)), 'utf8'),
) as { exchanges: Record<string, Exchange> };

/** A route answering like upstream did in the recorded exchange `label`. */
export function upstream(label: string, overrides: Partial<Route> = {}): Route {
  const exchange = fixtures.exchanges[label];
  if (!exchange) throw new Error(`no recorded exchange "${label}"`);
  return {
    method: exchange.method,
    path: exchange.url.split('?')[0] ?? exchange.url,
    status: exchange.status,
    body: exchange.body,
    ...overrides,
  };
}

export function recordedBody(label: string): unknown {
  const exchange = fixtures.exchanges[label];
  if (!exchange) throw new Error(`no recorded exchange "${label}"`);
  return exchange.body;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startTestApi(routes: readonly Route[]): Promise<TestApi> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const recorded = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body: await readBody(req),
      };
      requests.push(recorded);
      const path = recorded.url.split('?')[0];
      const route = routes.find((r) => r.method === recorded.method && r.path === path);
      if (!route) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ messages: { info: [], warning: [], error: ['Not Found'] } }));
        return;
      }
      if (route.handler) return route.handler(recorded, res);
      if (route.text !== undefined) {
        res.writeHead(route.status ?? 200, { 'content-type': 'text/plain' });
        res.end(route.text);
        return;
      }
      res.writeHead(route.status ?? 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(route.body ?? {}));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export interface CliRun {
  readonly env?: Readonly<Record<string, string>>;
  /** Written to stdin, which is then closed (stdin is never a terminal here). */
  readonly input?: string;
  readonly timeoutMs?: number;
  /** Called once the process started, e.g. to send it a signal. */
  readonly onSpawn?: (child: import('node:child_process').ChildProcess) => void;
}

/** A fresh HOME per run: nothing from this machine's ~/.toolforge.yaml, ~/.kube/config or instance.json. */
export async function runCli(args: readonly string[], options: CliRun = {}): Promise<CliResult> {
  const home = mkdtempSync(join(tmpdir(), 'cli-home-'));
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: home,
        XDG_CONFIG_HOME: join(home, '.config'),
        TOOLFORGE_COMPONENTS_HOME: join(home, 'components'),
        ...options.env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    options.onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.stdin.end(options.input ?? '');
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    clearTimeout(timer);
    return { code, stdout, stderr };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
