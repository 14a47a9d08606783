/**
 * What a component's job should look like (`jobSpecFor`) and how a live job differs from it (`diffJob`).
 *
 * The diff is field-level and ignores live state (running, health, …). Both sides are normalised first, so an
 * unchanged config is a no-op whatever spelling jobs-api reports back:
 * - images compare by repository path only (`tools-harbor.wmcloud.org/tool-t1/web:latest@sha256:…` ≡
 *   `tool-t1/web:latest`): the tag is always `latest` and the digest moves with every build, which is the
 *   build decision's business (restart), not a spec change;
 * - memory and cpu compare by quantity (`256Mi` ≡ `0.25Gi`, `500m` ≡ `0.5`, `1G` ≡ `0.931Gi`);
 * - a field the config leaves unset equals jobs-api's fixed default (`replicas` 1, `retry` 0, …), so a job
 *   that reports the default is not drifted. Fields whose default the server picks (cpu, memory, mount, log
 *   paths) are not compared when the config leaves them unset: to reset one, set it explicitly.
 */
import type { Component } from '../model/tool-config.js';
import type { JobRecord } from '../model/observed-state.js';
import type { JobSpec } from '../model/job-spec.js';
import type { FieldChange, JobTemplate } from '../model/plan.js';
import { cpuCores, memoryGi } from '../support/quantities.js';

/** The process a continuous component runs when the config gives no command (the image's Procfile `web`). */
export const DEFAULT_COMMAND = 'web';

/** The image a build of `imageName` produces for `tool`, as jobs-api names build-service images. */
export function toolImage(tool: string, imageName: string): string {
  return `tool-${tool}/${imageName}:latest`;
}

export function jobSpecFor(component: Component, image: string): JobSpec {
  const { name, type } = component;
  return fillJobSpec(component, { name, type, image, command: component.run.command ?? DEFAULT_COMMAND });
}

/** The job a component asks for, without its image (a plan's `upsert-job` operation). */
export function jobTemplateFor(component: Component): JobTemplate {
  const { name, type } = component;
  return fillJobSpec(component, { name, type, command: component.run.command ?? DEFAULT_COMMAND });
}

/** The job to send: the plan's template on `image`, with the keys in the order `jobSpecFor` gives them. */
export function withImage(template: JobTemplate, image: string): JobSpec {
  const { name, type, ...rest } = template;
  return { name, type, image, ...rest };
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

function fillJobSpec<T extends Writable<JobTemplate>>(component: Component, spec: T): T {
  // Plain assignments, not spreads: this runs once per component on every plan.
  const run = component.run;
  if (component.type === 'scheduled') spec.schedule = component.run.schedule;
  if (run.cpu !== undefined) spec.cpu = run.cpu;
  if (run.memory !== undefined) spec.memory = run.memory;
  if (run.emails !== undefined) spec.emails = run.emails;
  if (run.filelog !== undefined) spec.filelog = run.filelog;
  if (run.filelogStdout !== undefined) spec.filelogStdout = run.filelogStdout;
  if (run.filelogStderr !== undefined) spec.filelogStderr = run.filelogStderr;
  if (run.mount !== undefined) spec.mount = run.mount;
  if (component.type === 'scheduled' || component.type === 'one-off') {
    const r = component.run;
    if (r.retry !== undefined) spec.retry = r.retry;
    if (r.timeout !== undefined) spec.timeout = r.timeout;
  } else {
    const r = component.run;
    if (r.port !== undefined) spec.port = r.port;
    if (r.portProtocol !== undefined) spec.portProtocol = r.portProtocol;
    if (r.publish !== undefined) spec.publish = r.publish;
    if (r.replicas !== undefined) spec.replicas = r.replicas;
    if (r.healthCheck !== undefined) spec.healthCheck = r.healthCheck;
  }
  return spec;
}

/** Repository path of an image: no registry host, tag or digest (`host/tool-t1/web:latest@sha256:x` → `tool-t1/web`). */
export function imagePath(image: string): string {
  const noDigest = image.split('@')[0] ?? '';
  const parts = noDigest.split('/');
  // A first segment with a dot or a port, or `localhost`, is a registry host (Docker's rule).
  if (parts.length > 1 && /[.:]|^localhost$/.test(parts[0] ?? '')) parts.shift();
  const last = parts.pop() ?? '';
  const colon = last.indexOf(':');
  parts.push(colon >= 0 ? last.slice(0, colon) : last);
  return parts.join('/');
}

/** The digest pinned in an image reference (`…@sha256:abc` → `sha256:abc`), if any. */
export function imageDigest(image: string): string | undefined {
  const at = image.indexOf('@');
  return at >= 0 ? image.slice(at + 1) : undefined;
}

/** Memory as Gi, jobs-api's own rounding (`1G` → 0.931); unparseable text stays as is. */
export function normaliseMemory(text: string): number | string {
  return memoryGi(text) ?? text;
}

/** CPU as cores (`500m` → 0.5, `1.0` → 1); unparseable text stays as is. */
export function normaliseCpu(text: string): number | string {
  return cpuCores(text) ?? text;
}

type Field = Exclude<keyof JobSpec & keyof JobRecord, 'name'>;

/** Fixed jobs-api defaults: unset in the config ≡ this value reported by jobs-api. */
const FIXED_DEFAULTS: Partial<Record<Field, unknown>> = {
  filelog: false,
  emails: 'none',
  replicas: 1,
  portProtocol: 'tcp',
  retry: 0,
  timeout: 0,
};

/** Server-chosen defaults: compared only when the config sets them. */
const SERVER_DEFAULTED: ReadonlySet<Field> = new Set<Field>([
  'cpu',
  'memory',
  'mount',
  'filelogStdout',
  'filelogStderr',
]);

/** Compared fields, in the order a diff lists them. */
const FIELDS: readonly Field[] = [
  'type',
  'image',
  'command',
  'schedule',
  'cpu',
  'memory',
  'replicas',
  'port',
  'portProtocol',
  'publish',
  'healthCheck',
  'retry',
  'timeout',
  'emails',
  'mount',
  'filelog',
  'filelogStdout',
  'filelogStderr',
];

function normalise(field: Field, value: unknown): unknown {
  if (value === undefined) return FIXED_DEFAULTS[field];
  if (typeof value !== 'string') return value;
  if (field === 'image') return imagePath(value);
  if (field === 'memory') return normaliseMemory(value);
  if (field === 'cpu') return normaliseCpu(value);
  return value;
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ka = Object.keys(a as object).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b as object).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * The fields where `current` differs from `desired`, in a fixed order; [] when the job matches. `before` is
 * what jobs-api reported, `after` what the config asks for (undefined = back to the default).
 */
export function diffJob(desired: JobSpec, current: JobRecord): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of FIELDS) {
    const want = desired[field];
    if (want === undefined && SERVER_DEFAULTED.has(field)) continue;
    const have = current[field];
    if (want === have) continue; // the common case: no normalising needed
    if (!same(normalise(field, want), normalise(field, have)))
      changes.push({ field, before: have, after: want });
  }
  // The runtime says the job was changed behind its back (jobs-api `up_to_date: false`): re-applying the
  // configuration repairs it, so it counts as a difference even when every field above matches.
  if (current.upToDate === false) changes.push({ field: 'upToDate', before: false, after: true });
  return changes;
}

/**
 * `diffJob` for a one-off job's last run. jobs-api keeps no `timeout` for one-off jobs (the executor enforces
 * it), so a record without one says nothing about it: only a runtime that reports it (the local one) can show
 * it changed.
 */
export function diffOneOff(desired: JobSpec, lastRun: JobRecord): FieldChange[] {
  const changes = diffJob(desired, lastRun);
  return lastRun.timeout === undefined ? changes.filter((c) => c.field !== 'timeout') : changes;
}
