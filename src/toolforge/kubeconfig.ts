/**
 * The parts of a kubeconfig the toolforge CLIs use: the current context's namespace (`tool-<name>` names the
 * tool), its user's credentials (client certificate + key, or a bearer token) and its cluster's CA. Certificate
 * material stays where the kubeconfig puts it (a file or inline data); each caller loads it the way it needs.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { ToolforgeConfigError, type Env, type Obj } from './weld-config.js';
import { isObject } from '../support/is-object.js';

/** `<field>-data` (decoded) or `<field>` (a path, made absolute against the kubeconfig's folder). */
export type Material = { readonly file: string } | { readonly data: Buffer };

export interface Kubeconfig {
  readonly path: string;
  readonly namespace?: string;
  /** From the namespace `tool-<name>`. */
  readonly tool?: string;
  readonly cert?: Material;
  readonly key?: Material;
  readonly ca?: Material;
  readonly token?: string;
}

/** `$KUBECONFIG` (its first entry) or `~/.kube/config`. */
export function kubeconfigPath(env: Env, home: string = homedir()): string {
  const first = env.KUBECONFIG?.split(':').find((p) => p !== '');
  return first ?? join(home, '.kube', 'config');
}

/** `tool-<name>` → `<name>`; any other namespace names no tool. */
export function toolFromNamespace(namespace: string | undefined): string | undefined {
  return namespace?.startsWith('tool-') && namespace.length > 5 ? namespace.slice(5) : undefined;
}

function unusable(path: string, error: unknown): ToolforgeConfigError {
  const why = error instanceof Error ? error.message : String(error);
  return new ToolforgeConfigError(`Unable to read kubeconfig ${path}: ${why}`, error);
}

/** The inline data or the file's bytes (a file that cannot be read makes the kubeconfig unusable). */
export function materialBytes(kubeconfig: Kubeconfig, material: Material): Buffer {
  if ('data' in material) return material.data;
  try {
    return readFileSync(material.file);
  } catch (error) {
    throw unusable(kubeconfig.path, error);
  }
}

function named(list: unknown, name: unknown, key: string): Obj {
  if (!Array.isArray(list)) return {};
  const entry: unknown = list.find((e) => isObject(e) && e.name === name);
  return isObject(entry) && isObject(entry[key]) ? entry[key] : {};
}

/** `<field>-data` (base64) wins over `<field>`, as in kubectl. */
function material(entry: Obj, field: string, base: string): Material | undefined {
  const data = entry[`${field}-data`];
  if (typeof data === 'string' && data !== '') return { data: Buffer.from(data, 'base64') };
  const file = entry[field];
  if (typeof file !== 'string' || file === '') return undefined;
  return { file: isAbsolute(file) ? file : resolve(base, file) };
}

function parseKubeconfig(path: string, text: string): Kubeconfig {
  const parsed: unknown = parse(text);
  const root = parsed === null || parsed === undefined ? {} : parsed; // an empty file configures nothing
  if (!isObject(root)) throw new Error('not a mapping');
  const context = named(root.contexts, root['current-context'], 'context');
  const user = named(root.users, context.user, 'user');
  const cluster = named(root.clusters, context.cluster, 'cluster');
  const base = dirname(path);
  const namespace = typeof context.namespace === 'string' ? context.namespace : undefined;
  const tool = toolFromNamespace(namespace);
  const cert = material(user, 'client-certificate', base);
  const key = material(user, 'client-key', base);
  const ca = material(cluster, 'certificate-authority', base);
  let token = typeof user.token === 'string' ? user.token : undefined;
  if (!token && typeof user.tokenFile === 'string')
    token = readFileSync(resolve(base, user.tokenFile), 'utf8').trim();
  return {
    path,
    ...(namespace ? { namespace } : {}),
    ...(tool ? { tool } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    ...(ca ? { ca } : {}),
    ...(token ? { token } : {}),
  };
}

/** undefined when the file does not exist (or cannot be read); a ToolforgeConfigError when it cannot be used. */
export function readKubeconfig(path: string): Kubeconfig | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return parseKubeconfig(path, text);
  } catch (error) {
    throw unusable(path, error);
  }
}
