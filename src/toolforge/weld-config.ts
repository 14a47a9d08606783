/**
 * The toolforge client config files (toolforge-weld), read like the toolforge CLIs do (docs/upstream-compat.md#cli):
 * YAML files read in order, each later one replacing the earlier ones at the top level:
 * `/etc/toolforge/<client>.yaml`, `/etc/toolforge/common.yaml`, `~/.toolforge.yaml`, `~/.config/toolforge.yaml`,
 * `$XDG_CONFIG_HOME/toolforge.yaml`. The CLI and the Toolforge runtime both read them through this module.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { UserError } from '../errors.js';
import { isObject } from '../support/is-object.js';

export const DEFAULT_API_GATEWAY_URL = 'https://api.svc.tools.eqiad1.wikimedia.cloud:30003';
export const DEFAULT_COMPONENTS_ENDPOINT = '/components/v1';

export type Env = Readonly<Record<string, string | undefined>>;

export interface ConfigFileOptions {
  readonly env?: Env;
  readonly home?: string;
  /** Default `/etc/toolforge`. */
  readonly etcDir?: string;
  /** toolforge-weld client name (default `components`). */
  readonly client?: string;
}

/** A toolforge config file or kubeconfig that exists but cannot be used. */
export class ToolforgeConfigError extends UserError {
  constructor(message: string, cause?: unknown) {
    super('CMP_ERR_TOOLFORGE_CONFIG', message, { cause });
    this.name = 'ToolforgeConfigError';
  }
}

export type Obj = Record<string, unknown>;

/** The files upstream reads, lowest priority first. */
export function configFilePaths(options: ConfigFileOptions = {}): string[] {
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

/** The mapping in `path`; undefined when the file is missing (or unreadable) or empty: simply not configured. */
function readConfigFile(path: string): Obj | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = parse(text);
  } catch (error) {
    throw new ToolforgeConfigError(`Unable to parse config file ${path}`, error);
  }
  if (parsed === null || parsed === undefined) return undefined;
  if (!isObject(parsed)) throw new ToolforgeConfigError(`Unable to parse config file ${path}`);
  return parsed;
}

/** The files merged at the top level, later files winning. */
export function loadToolforgeConfig(paths: readonly string[]): Obj {
  let merged: Obj = {};
  for (const path of paths) merged = { ...merged, ...readConfigFile(path) };
  return merged;
}

export interface GatewaySettings {
  /** Set only when some file configures it (the caller applies the default). */
  readonly gatewayUrl?: string;
  readonly componentsEndpoint: string;
}

/** `api_gateway.url` and `components.components_endpoint` of a merged config. */
export function gatewaySettings(config: Obj): GatewaySettings {
  const url = isObject(config.api_gateway) ? config.api_gateway.url : undefined;
  const endpoint = isObject(config.components) ? config.components.components_endpoint : undefined;
  return {
    ...(typeof url === 'string' && url !== '' ? { gatewayUrl: url } : {}),
    componentsEndpoint: typeof endpoint === 'string' ? endpoint : DEFAULT_COMPONENTS_ENDPOINT,
  };
}
