/**
 * Where the CLI sends its requests and as which tool. In order:
 * 1. `--api-url URL` / `TOOLFORGE_COMPONENTS_API_URL`: a components-api server, reached directly;
 * 2. the Toolforge API gateway, when anything configures it (`TOOL_TOOLFORGE_API_URL`, `api_gateway.url` in a
 *    toolforge config file, or a kubeconfig whose namespace is `tool-<name>`), as upstream's CLI does;
 * 3. the local instance of `toolforge-components up` (its instance.json).
 * A direct server has no gateway in front of it, so the CLI sends `x-toolforge-tool` itself (cases 1 and 3).
 */
import { hostname } from 'node:os';
import { UserError } from '../errors.js';
import { kubeconfigPath, materialBytes, readKubeconfig, type Kubeconfig } from '../toolforge/kubeconfig.js';
import {
  configFilePaths,
  DEFAULT_API_GATEWAY_URL,
  gatewaySettings,
  loadToolforgeConfig,
} from '../toolforge/weld-config.js';
import { localInstanceFile, processIsAlive, readLocalInstance } from '../instance/instance-file.js';

export interface TargetOptions {
  readonly apiUrl?: string;
  readonly tool?: string;
}

export type TargetSource = 'flag' | 'env' | 'gateway' | 'local-instance';

export interface ApiTarget {
  readonly source: TargetSource;
  readonly tool: string;
  /** The API root including `/v1`, e.g. `http://127.0.0.1:8000/v1`. */
  readonly apiRoot: string;
  /** `<apiRoot>/tool/<tool>`: every tool route hangs below it. */
  readonly toolUrl: string;
  readonly sendToolHeader: boolean;
  readonly tls?: { readonly cert?: Buffer; readonly key?: Buffer; readonly ca?: Buffer };
  readonly bearerToken?: string;
  readonly userAgent: string;
}

export interface TargetContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly home?: string;
  readonly version: string;
  /** Overridable for tests. */
  readonly toolforgeConfigFiles?: readonly string[];
}

export class NoTargetError extends UserError {
  constructor(message: string) {
    super('CMP_ERR_NO_TARGET', message);
    this.name = 'NoTargetError';
  }
}

/** A server root gets `/v1` appended unless the URL already ends with it. */
export function apiRootFromUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new NoTargetError(`Invalid API URL "${url}": expected http(s)://host:port`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new NoTargetError(`Invalid API URL "${url}": expected http(s)://host:port`);
  }
  const trimmed = url.replace(/\/+$/, '');
  return trimmed.endsWith('/v1') ? trimmed : `${trimmed}/v1`;
}

function credentials(kube: Kubeconfig | undefined): Pick<ApiTarget, 'tls' | 'bearerToken'> {
  if (!kube) return {};
  const tls = {
    ...(kube.cert && kube.key
      ? { cert: materialBytes(kube, kube.cert), key: materialBytes(kube, kube.key) }
      : {}),
    ...(kube.ca ? { ca: materialBytes(kube, kube.ca) } : {}),
  };
  return {
    ...(Object.keys(tls).length > 0 ? { tls } : {}),
    ...(kube.token ? { bearerToken: kube.token } : {}),
  };
}

function requireTool(tool: string | undefined): string {
  if (tool) return tool;
  throw new NoTargetError(
    'No tool selected: pass --tool NAME or set TOOLFORGE_TOOL (or use a kubeconfig whose namespace is tool-<name>)',
  );
}

export function resolveTarget(options: TargetOptions, ctx: TargetContext): ApiTarget {
  const { env } = ctx;
  const kube = readKubeconfig(kubeconfigPath(env, ctx.home));
  const kubeTool = kube?.tool;
  const agent = (tool: string): string =>
    `tool-${tool}@${hostname()}:components-cli toolforge-components/${ctx.version}`;

  const explicitUrl = options.apiUrl ?? env.TOOLFORGE_COMPONENTS_API_URL;
  if (explicitUrl) {
    const instance = readLocalInstance(localInstanceFile(env, ctx.home));
    const tool = requireTool(options.tool ?? env.TOOLFORGE_TOOL ?? kubeTool ?? instance?.tool);
    const apiRoot = apiRootFromUrl(explicitUrl);
    return {
      source: options.apiUrl ? 'flag' : 'env',
      tool,
      apiRoot,
      toolUrl: `${apiRoot}/tool/${encodeURIComponent(tool)}`,
      sendToolHeader: true,
      ...(apiRoot.startsWith('https:') ? credentials(kube) : {}),
      userAgent: agent(tool),
    };
  }

  const config = loadToolforgeConfig(ctx.toolforgeConfigFiles ?? configFilePaths({ env, home: ctx.home }));
  const settings = gatewaySettings(config);
  const gatewayUrl = env.TOOL_TOOLFORGE_API_URL || settings.gatewayUrl;
  if (gatewayUrl || kubeTool) {
    const tool = requireTool(options.tool ?? env.TOOLFORGE_TOOL ?? kubeTool);
    const apiRoot = `${(gatewayUrl ?? DEFAULT_API_GATEWAY_URL).replace(/\/+$/, '')}${settings.componentsEndpoint}`;
    return {
      source: 'gateway',
      tool,
      apiRoot,
      toolUrl: `${apiRoot}/tool/${encodeURIComponent(tool)}`,
      sendToolHeader: false,
      ...credentials(kube),
      userAgent: agent(tool),
    };
  }

  const file = localInstanceFile(env, ctx.home);
  const instance = readLocalInstance(file);
  if (!instance) {
    throw new NoTargetError(
      'No components API to talk to: start a local one with `toolforge-components up`, or pass --api-url URL ' +
        '(or set TOOLFORGE_COMPONENTS_API_URL)',
    );
  }
  if (instance.pid !== undefined && !processIsAlive(instance.pid)) {
    throw new NoTargetError(
      `The local instance (pid ${instance.pid}, ${instance.url}) is not running: start it with \`toolforge-components up\``,
    );
  }
  const tool = requireTool(options.tool ?? env.TOOLFORGE_TOOL ?? instance.tool);
  const apiRoot = apiRootFromUrl(instance.url);
  return {
    source: 'local-instance',
    tool,
    apiRoot,
    toolUrl: `${apiRoot}/tool/${encodeURIComponent(tool)}`,
    sendToolHeader: true,
    userAgent: agent(tool),
  };
}
