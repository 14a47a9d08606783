/** Small literal configs, plans and deployments for store and API tests (no planner needed). */
import type { ToolConfig } from '../../src/model/tool-config.js';
import { type Deployment, type DeploymentState, type DeploymentTask } from '../../src/model/deployment.js';
import { tasksFromPlan } from '../../src/execute/tasks-from-plan.js';
import { PLAN_FORMAT_VERSION, type Plan } from '../../src/model/plan.js';
import { taskDetailsFor } from './plan-fixtures.js';

export function sampleConfig(): ToolConfig {
  return {
    dialect: 'v1beta1',
    components: [
      {
        name: 'web',
        type: 'continuous',
        build: {
          kind: 'source',
          repository: 'https://example.org/web.git',
          ref: 'main',
          useLatestVersions: false,
          useDeprecatedVersions: false,
        },
        waitFor: [],
        run: { command: 'web', port: 8000 },
      },
      {
        name: 'cron',
        type: 'scheduled',
        build: { kind: 'reuse', reuseFrom: 'web' },
        waitFor: ['web'],
        run: { command: 'cleanup', schedule: '@daily' },
      },
    ],
  };
}

export function samplePlan(tool: string): Plan {
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    id: 'plan-1',
    tool,
    configDigest: 'c1',
    statusRevision: 's1',
    components: [
      {
        name: 'web',
        type: 'continuous',
        build: {
          kind: 'build',
          reason: 'no-matching-build',
          repository: 'https://example.org/web.git',
          ref: 'main',
          commit: 'abc',
          sharedWith: [],
        },
        job: { kind: 'create' },
        reason: 'new component',
        waitFor: [],
      },
      {
        name: 'cron',
        type: 'scheduled',
        build: { kind: 'from-component', component: 'web' },
        job: { kind: 'create' },
        reason: 'new component',
        waitFor: ['web'],
      },
    ],
    tasks: [
      { id: 'build:web', kind: 'build', component: 'web', dependsOn: [], ...taskDetailsFor('build:web') },
      {
        id: 'deploy:web',
        kind: 'deploy',
        component: 'web',
        dependsOn: [{ task: 'build:web', condition: 'completed' }],
        ...taskDetailsFor('deploy:web'),
      },
      {
        id: 'deploy:cron',
        kind: 'deploy',
        component: 'cron',
        dependsOn: [
          { task: 'build:web', condition: 'completed' },
          { task: 'deploy:web', condition: 'healthy' },
        ],
        ...taskDetailsFor('deploy:cron', { scheduled: true, imageFrom: 'web' }),
      },
    ],
    warnings: [],
    summary: { toBuild: 1, toCreate: 2, toUpdate: 0, toRestart: 0, toDelete: 0, unchanged: 0 },
  };
}

let counter = 0;

export function sampleDeployment(
  tool: string,
  options: { id?: string; createdAt?: string; state?: DeploymentState } = {},
): { deployment: Deployment; tasks: DeploymentTask[] } {
  counter += 1;
  const createdAt = options.createdAt ?? new Date(Date.UTC(2026, 0, 1, 0, 0, counter)).toISOString();
  const id = options.id ?? `20260101-000000-${counter.toString(36).padStart(10, '0')}`;
  const plan = samplePlan(tool);
  const deployment: Deployment = {
    id,
    tool,
    createdAt,
    description: '',
    forceBuild: false,
    forceRun: false,
    prune: false,
    state: options.state ?? 'pending',
    toolConfig: { components: { web: {}, cron: {} } },
    config: sampleConfig(),
    plan,
  };
  return { deployment, tasks: tasksFromPlan(id, plan) };
}
