/**
 * Build decisions: for every selected component that builds from source, reuse a build of the same code or
 * start one. The key of "the same code" is repository + resolved commit + use_latest_versions +
 * use_deprecated_versions (upstream compares the same, but only against the newest build of the component's
 * own image name). Components with the same key share one build: the first in config order owns the
 * `build:` task, the others get `shared-build`.
 *
 * A build is reusable only while `:latest` of its image name still points at it, i.e. it is the newest
 * successful build of that image name: jobs run `tool-<tool>/<image>:latest`, so an older build's image is
 * no longer what a restart would pull.
 */
import type { SourceBuild } from '../../config/tool-config.js';
import { refKey, type BuildRecord } from '../../status/observed-state.js';
import type { BuildDecision } from '../plan.js';
import { toolImage } from '../job-spec.js';
import type { PlanContext } from '../plan-context.js';

interface Resolved {
  readonly commit?: string;
  readonly error?: string;
}

function keyOf(build: SourceBuild, resolved: Resolved): string {
  const code = resolved.commit !== undefined ? `commit:${resolved.commit}` : `ref:${build.ref ?? 'HEAD'}`;
  return `${build.repository}\n${code}\n${build.useLatestVersions}\n${build.useDeprecatedVersions}`;
}

function recordKey(record: BuildRecord): string | undefined {
  if (record.resolvedCommit === undefined) return undefined;
  return `${record.repository}\ncommit:${record.resolvedCommit}\n${record.useLatestVersions}\n${record.useDeprecatedVersions}`;
}

/** Newest first: by start time, then id, so equal snapshots give equal choices. */
function newestFirst(a: BuildRecord, b: BuildRecord): number {
  const sa = a.startedAt ?? '';
  const sb = b.startedAt ?? '';
  if (sa !== sb) return sa < sb ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

interface BuildIndex {
  /** Builds by key, newest first. */
  readonly byKey: ReadonlyMap<string, readonly BuildRecord[]>;
  /** Newest successful build id per image name: what `:latest` points at. */
  readonly current: ReadonlyMap<string, string>;
  readonly repositories: ReadonlySet<string>;
}

function indexBuilds(builds: readonly BuildRecord[]): BuildIndex {
  const sorted = [...builds].sort(newestFirst);
  const byKey = new Map<string, BuildRecord[]>();
  const current = new Map<string, string>();
  for (const record of sorted) {
    const key = recordKey(record);
    if (key !== undefined) {
      const list = byKey.get(key);
      if (list) list.push(record);
      else byKey.set(key, [record]);
    }
    if (record.state === 'successful' && !current.has(record.imageName)) current.set(record.imageName, record.id);
  }
  return { byKey, current, repositories: new Set(builds.map((b) => b.repository)) };
}

function resolve(ctx: PlanContext, build: SourceBuild, index: BuildIndex): Resolved {
  const resolution = ctx.observed.resolvedRefs[refKey(build.repository, build.ref)];
  if (resolution?.ok) return { commit: resolution.commit };
  if (resolution) return { error: resolution.error };
  // Not resolved at all (e.g. planning against an empty tool): with no build of that repository there is
  // nothing to match anyway, so this is an ordinary new build, not a failure to report.
  if (!index.repositories.has(build.repository)) return {};
  return { error: `${build.repository} ${build.ref ?? 'HEAD'} was not resolved` };
}

/** Prefer a build of the owner's own image name, then the newest. */
function pick(candidates: readonly BuildRecord[], owner: string): BuildRecord | undefined {
  return candidates.find((b) => b.imageName === owner) ?? candidates[0];
}

function decide(
  ctx: PlanContext,
  owner: string,
  build: SourceBuild,
  resolved: Resolved,
  index: BuildIndex,
): { decision: BuildDecision; record?: BuildRecord; detail: string } {
  const fresh = (reason: 'no-matching-build' | 'forced' | 'unresolved-ref', detail: string) => ({
    decision: {
      kind: 'build' as const,
      reason,
      repository: build.repository,
      ...(build.ref !== undefined ? { ref: build.ref } : {}),
      ...(resolved.commit !== undefined ? { commit: resolved.commit } : {}),
      sharedWith: [] as string[],
      detail,
    },
    detail,
  });
  const at = `${build.repository}${build.ref !== undefined ? `@${build.ref}` : ''}`;
  if (resolved.error !== undefined) return fresh('unresolved-ref', `cannot resolve ref: ${resolved.error}`);
  if (ctx.options.forceBuild) return fresh('forced', 'build forced (--force-build)');
  const commit = resolved.commit;
  if (commit === undefined) return fresh('no-matching-build', `no build of ${at} yet`);
  const candidates = index.byKey.get(keyOf(build, resolved)) ?? [];
  const reusable = pick(
    candidates.filter((b) => b.state === 'successful' && index.current.get(b.imageName) === b.id),
    owner,
  );
  if (reusable) {
    return {
      decision: { kind: 'reuse-build', buildId: reusable.id, commit, ...(reusable.image ? { image: reusable.image } : {}) },
      record: reusable,
      detail: `reusing build ${reusable.id} of ${at} (${commit.slice(0, 12)})`,
    };
  }
  const running = pick(candidates.filter((b) => b.state === 'pending' || b.state === 'running'), owner);
  if (running) {
    return {
      decision: { kind: 'follow-build', buildId: running.id, commit },
      record: running,
      detail: `following build ${running.id} of ${at} (${commit.slice(0, 12)}), still ${running.state}`,
    };
  }
  return fresh('no-matching-build', `no build of ${at} at ${commit.slice(0, 12)}`);
}

export function decideBuilds(ctx: PlanContext): void {
  const index = indexBuilds(ctx.observed.builds);
  const tool = ctx.observed.tool;
  /** key → owner component and what it decided. */
  const groups = new Map<string, { owner: string; decision: BuildDecision; sharers: string[] }>();
  for (const component of ctx.config.components) {
    if (component.build.kind !== 'source' || !ctx.buildSelected.has(component.name)) continue;
    const build = component.build;
    const resolved = resolve(ctx, build, index);
    const key = keyOf(build, resolved);
    const group = groups.get(key);
    if (group) {
      // Same code and flags as an earlier component: follow its decision instead of building twice.
      group.sharers.push(component.name);
      const shared: BuildDecision = group.decision.kind === 'build' ? { kind: 'shared-build', component: group.owner } : group.decision;
      ctx.builds.set(component.name, shared);
      ctx.buildDetails.set(component.name, `same code as ${group.owner}: ${ctx.buildDetails.get(group.owner) ?? ''}`);
      const image = ctx.images.get(group.owner);
      if (image) ctx.images.set(component.name, image);
      continue;
    }
    const { decision, record, detail } = decide(ctx, component.name, build, resolved, index);
    if (resolved.error !== undefined) ctx.warnings.add(`cannot resolve ref: ${resolved.error}`);
    groups.set(key, { owner: component.name, decision, sharers: [] });
    ctx.builds.set(component.name, decision);
    ctx.buildDetails.set(component.name, detail);
    const imageName = record?.imageName || component.name;
    ctx.images.set(component.name, {
      image: decision.kind === 'reuse-build' ? (decision.image ?? toolImage(tool, imageName)) : toolImage(tool, imageName),
      fresh: decision.kind !== 'reuse-build',
      ...(decision.kind === 'reuse-build' ? {} : { buildTask: component.name }),
    });
  }
  // The owner's decision lists who shares it (persisted for the executor and the renderers).
  for (const group of groups.values()) {
    if (group.decision.kind === 'build' && group.sharers.length > 0) {
      ctx.builds.set(group.owner, { ...group.decision, sharedWith: group.sharers });
    }
  }
  decideReuse(ctx);
}

/** `reuse-from` components run their parent's image (the loader guarantees the parent builds from source). */
function decideReuse(ctx: PlanContext): void {
  for (const component of ctx.config.components) {
    if (component.build.kind !== 'reuse' || !ctx.buildSelected.has(component.name)) continue;
    const parent = component.build.reuseFrom;
    ctx.builds.set(component.name, { kind: 'from-component', component: parent });
    ctx.buildDetails.set(component.name, `image of ${parent}`);
    const image = ctx.images.get(parent);
    if (image) ctx.images.set(component.name, image);
  }
}
