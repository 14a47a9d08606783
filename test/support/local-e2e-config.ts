/**
 * The end-to-end tool's config (seed dialect): `api` (web, health-checked), `flower` (reuses the api's image
 * with the `worker` process, waits for the api), `cleanup` (cron job from its own repository, waits for the
 * api). Overrides replace or add components, so a test can change one field or add a crashing one.
 */
import type { E2e } from './local-e2e.js';

type Component = Record<string, unknown>;

export async function toolConfig(
  e2e: E2e,
  overrides: Readonly<Record<string, Component>> = {},
): Promise<Record<string, unknown>> {
  const components: Record<string, Component> = {
    api: {
      type: 'continuous',
      build: { repository: e2e.repos.app },
      run: { port: await e2e.port('api'), 'health-check-http': '/healthz', publish: '/' },
    },
    flower: {
      type: 'continuous',
      build: { 'reuse-from': 'api' },
      run: { command: 'worker', port: await e2e.port('flower'), 'health-check-http': '/healthz' },
      'wait-for': ['api'],
    },
    cleanup: {
      type: 'scheduled',
      build: { repository: e2e.repos.cron },
      run: { command: 'cleanup', schedule: '@daily' },
      'wait-for': ['api'],
    },
    ...overrides,
  };
  return { 'config-version': 0.1, components };
}
