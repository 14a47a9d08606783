/**
 * Prometheus metrics. The metric objects are module-level (one registry per process) so the executor can
 * observe task durations with `taskDurationSeconds.observe(...)` without knowing about the API.
 */
import { Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { DEPLOYMENT_STATES } from '../model/deployment.js';

export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

export const httpRequestDurationSeconds = new Histogram({
  name: 'components_api_request_duration_seconds',
  help: 'HTTP request latency by method, route and status code',
  labelNames: ['method', 'route', 'status_code'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [metricsRegistry],
});

export const deploymentsByState = new Gauge({
  name: 'components_api_deployments',
  help: 'Stored deployments by state (all tools)',
  labelNames: ['state'] as const,
  registers: [metricsRegistry],
});

/** Observed by the executor when a task reaches a final state. */
export const taskDurationSeconds = new Histogram({
  name: 'components_task_duration_seconds',
  help: 'Deployment task duration by kind (build, deploy, delete) and final state',
  labelNames: ['kind', 'state'] as const,
  buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600],
  registers: [metricsRegistry],
});

export function setDeploymentCounts(counts: Readonly<Record<string, number>>): void {
  for (const state of DEPLOYMENT_STATES) deploymentsByState.set({ state }, counts[state] ?? 0);
}
