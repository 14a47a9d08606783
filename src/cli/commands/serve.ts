/**
 * `serve [--host 127.0.0.1] [--port 8000] [--database URL] [--runtime local|toolforge] [--token-key-file F]
 * [--previous-token-key-file F…]`: runs the components
 * service (API + executor) in the foreground until SIGINT/SIGTERM, then shuts down gracefully. The database
 * defaults to the SQLite file `<data dir>/components.db`. How the service is assembled is one replaceable
 * function (`startService`), so wiring changes stay out of the command.
 */
import { Option, type Command } from 'commander';
import { UserError } from '../../errors.js';
import { defaultDataDir } from '../../runtimes/local/data-dir.js';
import { RUNTIME_KINDS, type RuntimeKind } from '../../instance/runtime-kind.js';
import { untilStopSignal } from '../stop-signal.js';

export interface ServeOptions {
  readonly host: string;
  readonly port: number;
  /** SQLite path or `postgres://…` URL; undefined = `<dataDir>/components.db`. */
  readonly database?: string;
  readonly runtime: RuntimeKind;
  readonly dataDir: string;
  /** This replica's lease owner id (PostgreSQL with several replicas: e.g. the pod name). */
  readonly replicaId?: string;
  /** The deploy-token key as text (env TOOLFORGE_COMPONENTS_TOKEN_KEY): wins over the key files. */
  readonly tokenKey?: string;
  /** File holding the deploy-token key; default `<dataDir>/token.key`, created on first use. */
  readonly tokenKeyFile?: string;
  /** Keys of a rotation in progress: tokens sealed with them are opened and re-sealed with the current one. */
  readonly previousTokenKeyFiles?: readonly string[];
  /**
   * How long a job whose health the runtime cannot see (Toolforge) must run without a restart to count as
   * ready, in seconds (default: the executor's, 5).
   */
  readonly unknownHealthWindowSeconds?: number;
}

export interface RunningService {
  readonly url: string;
  close(): Promise<void>;
}

export type StartService = (options: ServeOptions) => Promise<RunningService>;

/** Store + runtime + executor + API, with pino request logs (loaded only when it starts, not for `--help`). */
export const startService: StartService = async (options) => {
  const [{ startInstance }, { loadTokenKeyring }] = await Promise.all([
    import('../../instance/start-instance.js'),
    import('../../instance/token-key.js'),
  ]);
  const tokenKeys = loadTokenKeyring({
    dataDir: options.dataDir,
    ...(options.tokenKey !== undefined ? { key: options.tokenKey } : {}),
    ...(options.tokenKeyFile !== undefined ? { keyFile: options.tokenKeyFile } : {}),
    ...(options.previousTokenKeyFiles ? { previousKeyFiles: options.previousTokenKeyFiles } : {}),
  });
  return startInstance({
    tokenKeys,
    runtime: options.runtime,
    dataDir: options.dataDir,
    ...(options.database !== undefined ? { databaseUrl: options.database } : {}),
    host: options.host,
    port: options.port,
    logger: true,
    executor: {
      ...(options.replicaId ? { owner: options.replicaId } : {}),
      ...(options.unknownHealthWindowSeconds !== undefined
        ? { unknownHealthStableForMs: options.unknownHealthWindowSeconds * 1000 }
        : {}),
    },
  });
};

function parseSeconds(flag: string, text: string): number {
  const seconds = Number(text);
  if (text.trim() === '' || !Number.isFinite(seconds) || seconds < 0) {
    throw new UserError('CMP_ERR_USAGE', `Invalid ${flag} "${text}": expected a number of seconds ≥ 0`, {
      exitCode: 2,
    });
  }
  return seconds;
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UserError('CMP_ERR_USAGE', `Invalid --port "${text}": expected 0-65535`, { exitCode: 2 });
  }
  return port;
}

export async function runServe(options: ServeOptions, start: StartService = startService): Promise<void> {
  const service = await start(options);
  console.error(`toolforge-components: serving on ${service.url} (runtime ${options.runtime})`);
  const signal = await untilStopSignal();
  console.error(`toolforge-components: ${signal}, shutting down`);
  await service.close();
}

export function register(program: Command, start: StartService = startService): void {
  program
    .command('serve')
    .description('Run the components API server (upstream-compatible /v1 plus plan, deploy and events)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 = any free port)', '8000')
    .option('--database <url>', 'SQLite file path or postgres://… URL (default: <data dir>/components.db)')
    .addOption(
      new Option('--runtime <kind>', 'where components run').choices([...RUNTIME_KINDS]).default('local'),
    )
    .addOption(
      new Option(
        '--replica-id <id>',
        'stable id of this replica for deployment leases (default: random)',
      ).env('TOOLFORGE_COMPONENTS_REPLICA_ID'),
    )
    .addOption(
      new Option(
        '--token-key-file <file>',
        'key that encrypts deploy tokens at rest (default: <data dir>/token.key; replicas must share it; ' +
          'the key itself can be given in TOOLFORGE_COMPONENTS_TOKEN_KEY)',
      ).env('TOOLFORGE_COMPONENTS_TOKEN_KEY_FILE'),
    )
    .option(
      '--previous-token-key-file <file>',
      'a former token key (repeatable): tokens encrypted with it are re-encrypted with the current key at start',
      (file: string, files: string[] = []) => [...files, file],
    )
    .addOption(
      new Option(
        '--unknown-health-window <seconds>',
        'how long a job whose health the runtime cannot see (Toolforge: jobs-api reports none) must run ' +
          'without a restart before wait-for counts it ready (default 5)',
      ).env('TOOLFORGE_COMPONENTS_UNKNOWN_HEALTH_WINDOW'),
    )
    .action(
      async (opts: {
        host: string;
        port: string;
        database?: string;
        runtime: RuntimeKind;
        replicaId?: string;
        tokenKeyFile?: string;
        previousTokenKeyFile?: string[];
        unknownHealthWindow?: string;
      }) => {
        const tokenKey = process.env.TOOLFORGE_COMPONENTS_TOKEN_KEY;
        await runServe(
          {
            host: opts.host,
            port: parsePort(opts.port),
            ...(opts.database !== undefined ? { database: opts.database } : {}),
            runtime: opts.runtime,
            dataDir: defaultDataDir(),
            ...(opts.replicaId ? { replicaId: opts.replicaId } : {}),
            ...(tokenKey ? { tokenKey } : {}),
            ...(opts.tokenKeyFile ? { tokenKeyFile: opts.tokenKeyFile } : {}),
            ...(opts.previousTokenKeyFile ? { previousTokenKeyFiles: opts.previousTokenKeyFile } : {}),
            ...(opts.unknownHealthWindow !== undefined
              ? {
                  unknownHealthWindowSeconds: parseSeconds(
                    '--unknown-health-window',
                    opts.unknownHealthWindow,
                  ),
                }
              : {}),
          },
          start,
        );
      },
    );
}
