/**
 * The parts of a kubeconfig the toolforge CLIs use: the current context's namespace (`tool-<name>` names the
 * tool) and its user's credentials (client certificate + key, or a bearer token), plus the cluster's CA.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { UserError } from '../errors.js';

export interface KubeCredentials {
  readonly path: string;
  readonly namespace?: string;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly ca?: Buffer;
  readonly token?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

export function kubeconfigPath(env: Env, home: string = homedir()): string {
  const first = env.KUBECONFIG?.split(':').find((p) => p !== '');
  return first ?? join(home, '.kube', 'config');
}

type Obj = Record<string, unknown>;

function obj(value: unknown): Obj {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : {};
}

function named(list: unknown, name: unknown, key: string): Obj {
  if (!Array.isArray(list)) return {};
  return obj(obj(list.find((entry) => obj(entry).name === name))[key]);
}

/** `<field>-data` (base64) wins over `<field>` (a path relative to the kubeconfig's folder), as in kubectl. */
function material(entry: Obj, field: string, base: string): Buffer | undefined {
  const data = entry[`${field}-data`];
  if (typeof data === 'string' && data !== '') return Buffer.from(data, 'base64');
  const file = entry[field];
  if (typeof file !== 'string' || file === '') return undefined;
  return readFileSync(isAbsolute(file) ? file : resolve(base, file));
}

/** undefined when the file does not exist; a UserError when it exists but cannot be used. */
export function loadKubeconfig(path: string): KubeCredentials | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const root = obj(parse(text));
    const context = named(root.contexts, root['current-context'], 'context');
    const user = named(root.users, context.user, 'user');
    const cluster = named(root.clusters, context.cluster, 'cluster');
    const base = dirname(path);
    const namespace = typeof context.namespace === 'string' ? context.namespace : undefined;
    const cert = material(user, 'client-certificate', base);
    const key = material(user, 'client-key', base);
    const ca = material(cluster, 'certificate-authority', base);
    const token = typeof user.token === 'string' ? user.token : undefined;
    return {
      path,
      ...(namespace ? { namespace } : {}),
      ...(cert ? { cert } : {}),
      ...(key ? { key } : {}),
      ...(ca ? { ca } : {}),
      ...(token ? { token } : {}),
    };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new UserError('CMP_ERR_KUBECONFIG', `Unable to read kubeconfig ${path}: ${why}`, { cause: error });
  }
}

/** `tool-<name>` → `<name>`; any other namespace names no tool. */
export function toolFromNamespace(namespace: string | undefined): string | undefined {
  return namespace?.startsWith('tool-') && namespace.length > 5 ? namespace.slice(5) : undefined;
}
