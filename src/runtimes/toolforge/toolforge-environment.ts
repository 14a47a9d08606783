/**
 * Where the Toolforge APIs are and who we are, found like the toolforge CLIs do (docs/upstream-compat.md#cli):
 * - API gateway URL: `api_gateway.url` from the toolforge-weld config files, read in order, each later one
 *   replacing earlier ones at the top level: `/etc/toolforge/<client>.yaml`, `/etc/toolforge/common.yaml`,
 *   `~/.toolforge.yaml`, `~/.config/toolforge.yaml`, `$XDG_CONFIG_HOME/toolforge.yaml`; then
 *   `TOOL_TOOLFORGE_API_URL` overrides it. Default `https://api.svc.tools.eqiad1.wikimedia.cloud:30003`.
 * - Credentials and tool: the kubeconfig (`$KUBECONFIG` or `~/.kube/config`), current context: its user's client
 *   certificate and key (files or `*-data`) or bearer token, and the tool from the namespace `tool-<name>`.
 */
import type { ToolforgeAuth } from './toolforge-http.js';
import { ToolforgeRuntime } from './toolforge-runtime.js';
import type { ToolforgeRuntimeOptions } from './toolforge-runtime.js';
import {
  kubeconfigPath,
  readKubeconfig,
  type Kubeconfig,
  type Material,
} from '../../toolforge/kubeconfig.js';
import {
  configFilePaths,
  DEFAULT_API_GATEWAY_URL,
  gatewaySettings,
  loadToolforgeConfig,
  ToolforgeConfigError,
  type ConfigFileOptions,
} from '../../toolforge/weld-config.js';

export type EnvironmentOptions = ConfigFileOptions;

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

/** The runtime's HTTP client takes certificate files as paths and inline certificates as PEM text. */
function pem(material: Material | undefined): { file?: string; inline?: string } {
  if (!material) return {};
  return 'file' in material ? { file: material.file } : { inline: material.data.toString('utf8') };
}

function authOf(kube: Kubeconfig): ToolforgeAuth {
  const cert = pem(kube.cert);
  const key = pem(kube.key);
  return {
    ...(cert.file ? { certFile: cert.file } : {}),
    ...(cert.inline ? { cert: cert.inline } : {}),
    ...(key.file ? { keyFile: key.file } : {}),
    ...(key.inline ? { key: key.inline } : {}),
    ...(kube.token ? { bearerToken: kube.token } : {}),
  };
}

export function loadToolforgeEnvironment(options: EnvironmentOptions = {}): ToolforgeEnvironment {
  const env = options.env ?? process.env;
  const config = loadToolforgeConfig(configFilePaths(options));
  const apiUrl =
    env.TOOL_TOOLFORGE_API_URL || (gatewaySettings(config).gatewayUrl ?? DEFAULT_API_GATEWAY_URL);
  const path = kubeconfigPath(env, options.home);
  const kube = readKubeconfig(path);
  if (!kube) {
    // Without TLS (a local simulator) nobody checks credentials; the real gateway needs the tool's certificate.
    if (apiUrl.startsWith('http://')) return { apiUrl, auth: {}, config };
    throw new ToolforgeConfigError(`KubernetesConfigFileNotFoundException: ${path}`);
  }
  return { apiUrl, tool: kube.tool, auth: authOf(kube), config, kubeconfig: path };
}

/** A ToolforgeRuntime configured like the toolforge CLIs; `overrides` win over what the environment says. */
export function toolforgeRuntimeFromEnvironment(
  options: EnvironmentOptions = {},
  overrides: Partial<ToolforgeRuntimeOptions> = {},
): ToolforgeRuntime {
  const found = loadToolforgeEnvironment(options);
  return new ToolforgeRuntime({ apiUrl: found.apiUrl, auth: found.auth, ...overrides });
}
