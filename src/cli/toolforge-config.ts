/**
 * The toolforge client config files (toolforge-weld): YAML files read in order, each later one replacing the
 * earlier ones at the top level. The components CLI reads `api_gateway.url` and `components.components_endpoint`.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { UserError } from '../errors.js';

export const DEFAULT_GATEWAY_URL = 'https://api.svc.tools.eqiad1.wikimedia.cloud:30003';
export const DEFAULT_COMPONENTS_ENDPOINT = '/components/v1';

export interface ToolforgeSettings {
  /** Set only when some file configures it (the caller applies the default). */
  readonly gatewayUrl?: string;
  readonly componentsEndpoint: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** The files upstream reads, lowest priority first. */
export function toolforgeConfigPaths(env: Env, home: string = homedir()): string[] {
  const paths = [
    '/etc/toolforge/components.yaml',
    '/etc/toolforge/common.yaml',
    join(home, '.toolforge.yaml'),
    join(home, '.config', 'toolforge.yaml'),
  ];
  if (env.XDG_CONFIG_HOME) paths.push(join(env.XDG_CONFIG_HOME, 'toolforge.yaml'));
  return paths;
}

function readYamlFile(path: string): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined; // a missing (or unreadable) file is simply not configured
  }
  try {
    const parsed: unknown = parse(text);
    if (parsed === null || parsed === undefined) return {};
    if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a mapping');
    return parsed as Record<string, unknown>;
  } catch (error) {
    throw new UserError('CMP_ERR_TOOLFORGE_CONFIG', `Unable to parse config file ${path}`, { cause: error });
  }
}

function section(merged: Record<string, unknown>, key: string): Record<string, unknown> {
  const value = merged[key];
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

export function loadToolforgeSettings(paths: readonly string[]): ToolforgeSettings {
  const merged: Record<string, unknown> = {};
  for (const path of paths) Object.assign(merged, readYamlFile(path) ?? {});
  const url = section(merged, 'api_gateway').url;
  const endpoint = section(merged, 'components').components_endpoint;
  return {
    ...(typeof url === 'string' && url !== '' ? { gatewayUrl: url } : {}),
    componentsEndpoint: typeof endpoint === 'string' ? endpoint : DEFAULT_COMPONENTS_ENDPOINT,
  };
}
