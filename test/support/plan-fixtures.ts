/**
 * Small configs and observed states for planner and renderer tests (Compose's reconcile tests: a config
 * literal plus an ObservedState literal, then the whole plan text is asserted).
 */
import type { Component, ToolConfig } from '../../src/model/tool-config.js';
import type { BuildRecord, JobRecord, ObservedState } from '../../src/model/observed-state.js';
import { refKey } from '../../src/model/observed-state.js';
import type { PlanOptions, PlanTask } from '../../src/model/plan.js';
import { jobSpecFor, toolImage } from '../../src/plan/job-spec.js';

export const NO_OPTIONS: PlanOptions = { forceBuild: false, forceRun: false, prune: false };

/** The seed's toolhunt example, as the loader normalises it. */
export function toolhuntConfig(): ToolConfig {
  return {
    dialect: 'seed',
    components: [
      {
        name: 'toolhunt-cleanup',
        description: 'cleanup job',
        type: 'scheduled',
        build: {
          kind: 'source',
          repository: './toolhunt-cleanup',
          useLatestVersions: false,
          useDeprecatedVersions: false,
        },
        waitFor: ['toolhunt-api'],
        run: { command: 'cleanup', schedule: '*/5 * * * *' },
      },
      {
        name: 'toolhunt-api',
        description: 'a python-flask api',
        type: 'continuous',
        build: {
          kind: 'source',
          repository: './toolhunt',
          useLatestVersions: false,
          useDeprecatedVersions: false,
        },
        waitFor: [],
        run: { port: 8000, healthCheck: { type: 'http', path: '/healthz' }, publish: '/' },
      },
      {
        name: 'toolhunt-flower',
        description: 'dashboard for monitoring and managing celery',
        type: 'continuous',
        build: { kind: 'reuse', reuseFrom: 'toolhunt-api' },
        waitFor: ['toolhunt-api'],
        run: { command: 'flower', port: 5555 },
      },
    ],
  };
}

export function commitOf(repository: string, n = 1): string {
  return `${repository
    .replace(/[^a-z]/g, '')
    .padEnd(8, 'x')
    .slice(0, 8)}${String(n).padStart(32, '0')}`;
}

export function successfulBuild(
  tool: string,
  imageName: string,
  repository: string,
  commit: string,
  startedAt: string,
): BuildRecord {
  return {
    id: `build-${imageName}-${startedAt.slice(0, 10)}`,
    imageName,
    image: `tools-harbor.wmcloud.org/${toolImage(tool, imageName)}`,
    repository,
    resolvedCommit: commit,
    useLatestVersions: false,
    useDeprecatedVersions: false,
    state: 'successful',
    startedAt,
    finishedAt: startedAt,
  };
}

/** A job as jobs-api reports it after we deployed `component` with `image` (units normalised, host dropped). */
export function liveJob(component: Component, image: string): JobRecord {
  const spec = jobSpecFor(component, image);
  return {
    ...spec,
    image: image.replace(/^tools-harbor\.wmcloud\.org\//, ''),
    ...(spec.memory !== undefined ? { memory: spec.memory === '256Mi' ? '0.25Gi' : spec.memory } : {}),
    ...(spec.cpu !== undefined ? { cpu: spec.cpu === '500m' ? '0.5' : spec.cpu } : {}),
    state: component.type === 'continuous' ? 'running' : 'registered',
    health: 'healthy',
  };
}

/**
 * The state right after a successful deployment of `config`: one successful build per source component
 * (at commit n of its repository), one job per component, refs resolved to those commits.
 */
export function deployedState(config: ToolConfig, tool = 'toolhunt', n = 1): ObservedState {
  const builds: BuildRecord[] = [];
  const resolvedRefs: Record<string, { ok: true; commit: string }> = {};
  const images = new Map<string, string>();
  for (const c of config.components) {
    if (c.build.kind !== 'source') continue;
    const commit = commitOf(c.build.repository, n);
    const build = successfulBuild(tool, c.name, c.build.repository, commit, `2026-01-0${n}T00:00:00.000Z`);
    builds.push(build);
    images.set(c.name, build.image as string);
    resolvedRefs[refKey(c.build.repository, c.build.ref)] = { ok: true, commit };
  }
  const jobs = config.components.map((c) =>
    liveJob(c, images.get(c.build.kind === 'source' ? c.name : c.build.reuseFrom) as string),
  );
  return {
    tool,
    observedAt: '2026-01-10T00:00:00.000Z',
    builds,
    jobs,
    previouslyManaged: config.components.map((c) => c.name),
    resolvedRefs,
  };
}

/** Replaces one component of a config (by name) with `change(component)`. */
export function withComponent(
  config: ToolConfig,
  name: string,
  change: (c: Component) => Component,
): ToolConfig {
  return { ...config, components: config.components.map((c) => (c.name === name ? change(c) : c)) };
}

/**
 * Operation, readiness and reason for a hand-written plan task (`build:x`, `deploy:x`, `delete:x`), as the
 * planner would give them for a new source component `x` (continuous with a health check unless `scheduled`).
 */
export function taskDetailsFor(
  id: string,
  options: { scheduled?: boolean; imageFrom?: string } = {},
): Pick<PlanTask, 'operation' | 'ready' | 'reason'> {
  const [kind, name = ''] = id.split(':');
  if (kind === 'build') {
    const request = {
      imageName: name,
      repository: `https://gitlab.wikimedia.org/toolforge-repos/${name}`,
      useLatestVersions: false,
      useDeprecatedVersions: false,
      envvars: {},
    };
    return {
      operation: { kind: 'start-build', request },
      ready: { kind: 'completed' },
      reason: { code: 'no-matching-build', text: `no build of ${request.repository} yet` },
    };
  }
  if (kind === 'delete') {
    return {
      operation: { kind: 'delete-job', name },
      ready: { kind: 'completed' },
      reason: { code: 'delete-orphan', text: 'orphaned: no longer in the configuration' },
    };
  }
  const spec = options.scheduled
    ? { name, type: 'scheduled' as const, command: `run-${name}`, schedule: '*/5 * * * *' }
    : { name, type: 'continuous' as const, command: 'web', port: 8000 };
  return {
    operation: {
      kind: 'upsert-job',
      spec,
      image: { kind: 'from-build', task: `build:${options.imageFrom ?? name}` },
    },
    ready: options.scheduled ? { kind: 'registered' } : { kind: 'healthy', observed: 'stability' },
    reason: { code: 'create-job', text: 'no job yet' },
  };
}
