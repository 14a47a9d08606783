/**
 * Where the Toolforge APIs are and who we are, found like the toolforge CLIs do (upstream-behaviour §2):
 * - API gateway URL: `api_gateway.url` from the toolforge-weld config files, read in order, each later one
 *   replacing earlier ones at the top level: `/etc/toolforge/<client>.yaml`, `/etc/toolforge/common.yaml`,
 *   `~/.toolforge.yaml`, `~/.config/toolforge.yaml`, `$XDG_CONFIG_HOME/toolforge.yaml`; then
 *   `TOOL_TOOLFORGE_API_URL` overrides it. Default `https://api.svc.tools.eqiad1.wikimedia.cloud:30003`.
 * - Credentials and tool: the kubeconfig (`$KUBECONFIG` or `~/.kube/config`), current context: its user's client
 *   certificate and key (files or `*-data`) or bearer token, and the tool from the namespace `tool-<name>`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { UserError } from '../../errors.js';
import type { ToolforgeAuth } from './toolforge-http.js';
import { ToolforgeRuntime } from './toolforge-runtime.js';
import type { ToolforgeRuntimeOptions } from './toolforge-runtime.js';

export const DEFAULT_API_GATEWAY_URL = 'https://api.svc.tools.eqiad1.wikimedia.cloud:30003';

export interface EnvironmentOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly home?: string;
  /** Default `/etc/toolforge`. */
  readonly etcDir?: string;
  /** toolforge-weld client name (default `components`). */
  readonly client?: string;
}

export interface ToolforgeEnvironment {
  readonly apiUrl: string;
  /** From the kubeconfig namespace `tool-<name>`, when there is one. */
  readonly tool?: string;
  readonly auth: ToolforgeAuth;
  /** The full toolforge-weld config after merging (e.g. `components.components_endpoint`). */
  readonly config: Readonly<Record<string, unknown>>;
  /** The kubeconfig read, if any. */
  readonly kubeconfig?: string;
}

export class ToolforgeConfigError extends UserError {
  constructor(message: string, cause?: unknown) {
    super('toolforge-config', message, { cause });
    this.name = 'ToolforgeConfigError';
  }
}

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readYaml(path: string): unknown {
  try {
    return parse(readFileSync(path, 'utf8')) as unknown;
  } catch (error) {
    throw new ToolforgeConfigError(`Unable to parse config file ${path}`, error);
  }
}

export function configFilePaths(options: EnvironmentOptions = {}): string[] {
  const env = options.env ?? process.env;
  const home = options.home ?? homedir();
  const etc = options.etcDir ?? '/etc/toolforge';
  const paths = [
    join(etc, `${options.client ?? 'components'}.yaml`),
    join(etc, 'common.yaml'),
    join(home, '.toolforge.yaml'),
    join(home, '.config', 'toolforge.yaml'),
  ];
  if (env.XDG_CONFIG_HOME) paths.push(join(env.XDG_CONFIG_HOME, 'toolforge.yaml'));
  return paths;
}

export function loadToolforgeConfig(options: EnvironmentOptions = {}): Obj {
  let merged: Obj = {};
  for (const path of configFilePaths(options)) {
    if (!existsSync(path)) continue;
    const content = readYaml(path);
    if (content === null || content === undefined) continue;
    if (!isObject(content)) throw new ToolforgeConfigError(`Unable to parse config file ${path}`);
    merged = { ...merged, ...content };
  }
  return merged;
}

function named(list: unknown, name: unknown): Obj {
  if (!Array.isArray(list)) return {};
  const entry = list.find((e) => isObject(e) && e.name === name) as Obj | undefined;
  return entry ?? {};
}

function pem(kubeDir: string, file: unknown, data: unknown): { file?: string; inline?: string } {
  if (typeof data === 'string' && data !== '')
    return { inline: Buffer.from(data, 'base64').toString('utf8') };
  if (typeof file === 'string' && file !== '')
    return { file: isAbsolute(file) ? file : resolve(kubeDir, file) };
  return {};
}

interface KubeIdentity {
  readonly auth: ToolforgeAuth;
  readonly tool?: string;
}

export function readKubeconfig(path: string): KubeIdentity {
  const doc = readYaml(path);
  if (!isObject(doc)) throw new ToolforgeConfigError(`Unable to parse config file ${path}`);
  const contextEntry = named(doc.contexts, doc['current-context']);
  const context = isObject(contextEntry.context) ? contextEntry.context : {};
  const userEntry = named(doc.users, context.user);
  const user = isObject(userEntry.user) ? userEntry.user : {};
  const dir = dirname(path);
  const cert = pem(dir, user['client-certificate'], user['client-certificate-data']);
  const key = pem(dir, user['client-key'], user['client-key-data']);
  let token = typeof user.token === 'string' ? user.token : undefined;
  if (!token && typeof user.tokenFile === 'string')
    token = readFileSync(resolve(dir, user.tokenFile), 'utf8').trim();
  const namespace = typeof context.namespace === 'string' ? context.namespace : '';
  return {
    tool: namespace.startsWith('tool-') ? namespace.slice('tool-'.length) : undefined,
    auth: {
      ...(cert.file ? { certFile: cert.file } : {}),
      ...(cert.inline ? { cert: cert.inline } : {}),
      ...(key.file ? { keyFile: key.file } : {}),
      ...(key.inline ? { key: key.inline } : {}),
      ...(token ? { bearerToken: token } : {}),
    },
  };
}

export function loadToolforgeEnvironment(options: EnvironmentOptions = {}): ToolforgeEnvironment {
  const env = options.env ?? process.env;
  const config = loadToolforgeConfig(options);
  const gateway = isObject(config.api_gateway) ? config.api_gateway : {};
  const configured =
    typeof gateway.url === 'string' && gateway.url !== '' ? gateway.url : DEFAULT_API_GATEWAY_URL;
  const apiUrl = env.TOOL_TOOLFORGE_API_URL || configured;
  const kubeconfig = env.KUBECONFIG?.split(':')[0] || join(options.home ?? homedir(), '.kube', 'config');
  if (!existsSync(kubeconfig)) {
    // Without TLS (a local simulator) nobody checks credentials; the real gateway needs the tool's certificate.
    if (apiUrl.startsWith('http://')) return { apiUrl, auth: {}, config };
    throw new ToolforgeConfigError(`KubernetesConfigFileNotFoundException: ${kubeconfig}`);
  }
  const identity = readKubeconfig(kubeconfig);
  return { apiUrl, tool: identity.tool, auth: identity.auth, config, kubeconfig };
}

/** A ToolforgeRuntime configured like the toolforge CLIs; `overrides` win over what the environment says. */
export function toolforgeRuntimeFromEnvironment(
  options: EnvironmentOptions = {},
  overrides: Partial<ToolforgeRuntimeOptions> = {},
): ToolforgeRuntime {
  const found = loadToolforgeEnvironment(options);
  return new ToolforgeRuntime({ apiUrl: found.apiUrl, auth: found.auth, ...overrides });
}
