/**
 * Build decisions: for every selected component that builds from source, reuse a build of the same code or
 * start one. The key of "the same code" is repository + resolved commit + use_latest_versions +
 * use_deprecated_versions + envvars (upstream compares the same, but only against the newest build of the
 * component's own image name): build-time variables change what the build produces, so a change of envvars
 * means a new build. Components with the same key share one build: the first in config order owns the
 * `build:` task, the others get `shared-build`.
 *
 * A build is reusable only while `:latest` of its image name still points at it, i.e. it is the newest
 * successful build of that image name: jobs run `tool-<tool>/<image>:latest`, so an older build's image is
 * no longer what a restart would pull. A rollback pins a component to the commit an earlier deployment built
 * (`PlanOptions.pinnedCommits`): then any successful build of that commit whose image is pinned by digest is
 * reused (the job is pointed at that digest, so `:latest` does not matter), and without one the commit itself is
 * built again (the build request's ref is the commit).
 */
import type { Component, SourceBuild } from '../../model/tool-config.js';
import { refKey, type BuildRecord } from '../../model/observed-state.js';
import type { BuildDecision } from '../../model/plan.js';
import { imageDigest, toolImage } from '../job-spec.js';
import { isBuildSelected, type PlanContext } from '../plan-context.js';

interface Resolved {
  readonly commit?: string;
  readonly error?: string;
}

/** Envvars in a canonical form (names sorted); '' for none, so that `{}` and absent are the same. */
function envvarsKey(envvars: Readonly<Record<string, string>> | undefined): string {
  if (envvars === undefined) return '';
  const names = Object.keys(envvars).sort();
  return names.length === 0 ? '' : JSON.stringify(names.map((name) => [name, envvars[name]]));
}

function keyOf(build: SourceBuild, resolved: Resolved): string {
  const code = resolved.commit !== undefined ? `commit:${resolved.commit}` : `ref:${build.ref ?? 'HEAD'}`;
  return `${build.repository}\n${code}\n${build.useLatestVersions}\n${build.useDeprecatedVersions}\n${envvarsKey(build.envvars)}`;
}

function recordKey(record: BuildRecord): string | undefined {
  if (record.resolvedCommit === undefined) return undefined;
  return `${record.repository}\ncommit:${record.resolvedCommit}\n${record.useLatestVersions}\n${record.useDeprecatedVersions}\n${envvarsKey(record.envvars)}`;
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
  /** Keys without their envvars part: "this code was built, but with other envvars" explains a rebuild. */
  readonly codeKeys: ReadonlySet<string>;
}

/** A build key without its last line (the envvars). */
const codeOf = (key: string): string => key.slice(0, key.lastIndexOf('\n'));

/** One pass over the builds (no global sort: only the small per-key lists are sorted). */
function indexBuilds(builds: readonly BuildRecord[]): BuildIndex {
  const byKey = new Map<string, BuildRecord[]>();
  const newest = new Map<string, BuildRecord>();
  const repositories = new Set<string>();
  const codeKeys = new Set<string>();
  for (const record of builds) {
    repositories.add(record.repository);
    const key = recordKey(record);
    if (key !== undefined) {
      if (record.state === 'successful') codeKeys.add(codeOf(key));
      const list = byKey.get(key);
      if (list) list.push(record);
      else byKey.set(key, [record]);
    }
    if (record.state !== 'successful') continue;
    const seen = newest.get(record.imageName);
    if (!seen || newestFirst(record, seen) < 0) newest.set(record.imageName, record);
  }
  for (const list of byKey.values()) if (list.length > 1) list.sort(newestFirst);
  const current = new Map<string, string>();
  for (const [imageName, record] of newest) current.set(imageName, record.id);
  return { byKey, current, repositories, codeKeys };
}

function resolve(ctx: PlanContext, build: SourceBuild, index: BuildIndex, pinned?: string): Resolved {
  if (pinned !== undefined) return { commit: pinned };
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
  key: string,
  index: BuildIndex,
  pinned?: string,
): { decision: BuildDecision; record?: BuildRecord; detail: string } {
  const fresh = (reason: 'no-matching-build' | 'forced' | 'unresolved-ref', detail: string) => ({
    decision: {
      kind: 'build' as const,
      reason,
      repository: build.repository,
      // A pinned commit is what builds-api must check out, whatever the config's ref points at now.
      ...(pinned !== undefined ? { ref: pinned } : build.ref !== undefined ? { ref: build.ref } : {}),
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
  const candidates = index.byKey.get(key) ?? [];
  const reusable = pick(
    candidates.filter(
      (b) =>
        b.state === 'successful' &&
        (index.current.get(b.imageName) === b.id ||
          (pinned !== undefined && b.image !== undefined && imageDigest(b.image) !== undefined)),
    ),
    owner,
  );
  if (reusable) {
    return {
      decision: {
        kind: 'reuse-build',
        buildId: reusable.id,
        commit,
        ...(reusable.image ? { image: reusable.image } : {}),
      },
      record: reusable,
      detail: `reusing build ${reusable.id} of ${at} (${commit.slice(0, 12)})`,
    };
  }
  const running = pick(
    candidates.filter((b) => b.state === 'pending' || b.state === 'running'),
    owner,
  );
  if (running) {
    return {
      decision: { kind: 'follow-build', buildId: running.id, commit },
      record: running,
      detail: `following build ${running.id} of ${at} (${commit.slice(0, 12)}), still ${running.state}`,
    };
  }
  const envvarsChanged = index.codeKeys.has(codeOf(key)) ? ' with these build envvars' : '';
  if (pinned !== undefined)
    return fresh(
      'no-matching-build',
      `rebuilding ${build.repository} at ${commit.slice(0, 12)}: no image of that build is left${envvarsChanged}`,
    );
  return fresh('no-matching-build', `no build of ${at} at ${commit.slice(0, 12)}${envvarsChanged}`);
}

export function decideBuilds(ctx: PlanContext): void {
  const index = indexBuilds(ctx.observed.builds);
  const tool = ctx.observed.tool;
  /** key → owner component (its index) and what it decided. */
  const groups = new Map<string, { owner: number; decision: BuildDecision; sharers: string[] }>();
  // Many components share a repository: resolve and key each (repository, ref, flags) once.
  const keys = new Map<string, { resolved: Resolved; key: string }>();
  const components = ctx.config.components;
  for (let i = 0; i < components.length; i++) {
    const component = components[i] as Component;
    if (component.build.kind !== 'source' || !isBuildSelected(ctx, component.name)) continue;
    const build = component.build;
    const pinned = ctx.options.pinnedCommits?.[component.name];
    const variant = `${build.repository}\n${build.ref ?? ''}\n${build.useLatestVersions}\n${build.useDeprecatedVersions}\n${envvarsKey(build.envvars)}\n${pinned ?? ''}`;
    let cached = keys.get(variant);
    if (!cached) {
      const resolved = resolve(ctx, build, index, pinned);
      cached = { resolved, key: keyOf(build, resolved) };
      keys.set(variant, cached);
    }
    const { resolved, key } = cached;
    const group = groups.get(key);
    if (group) {
      // Same code and flags as an earlier component: follow its decision instead of building twice.
      const owner = components[group.owner] as Component;
      group.sharers.push(component.name);
      ctx.builds[i] =
        group.decision.kind === 'build' ? { kind: 'shared-build', component: owner.name } : group.decision;
      ctx.buildDetails[i] = `same code as ${owner.name}: ${ctx.buildDetails[group.owner] ?? ''}`;
      ctx.images[i] = ctx.images[group.owner];
      continue;
    }
    const { decision, record, detail } = decide(ctx, component.name, build, resolved, key, index, pinned);
    if (resolved.error !== undefined) ctx.warnings.add(`cannot resolve ref: ${resolved.error}`);
    groups.set(key, { owner: i, decision, sharers: [] });
    ctx.builds[i] = decision;
    ctx.buildDetails[i] = detail;
    const imageName = record?.imageName || component.name;
    ctx.images[i] =
      decision.kind === 'reuse-build'
        ? { image: decision.image ?? toolImage(tool, imageName), fresh: false }
        : { image: toolImage(tool, imageName), fresh: true, buildTask: i };
  }
  // The owner's decision lists who shares it (persisted for the executor and the renderers).
  for (const group of groups.values()) {
    if (group.decision.kind === 'build' && group.sharers.length > 0) {
      ctx.builds[group.owner] = { ...group.decision, sharedWith: group.sharers };
    }
  }
  decideReuse(ctx);
}

/** `reuse-from` components run their parent's image (the loader guarantees the parent builds from source). */
function decideReuse(ctx: PlanContext): void {
  const components = ctx.config.components;
  for (let i = 0; i < components.length; i++) {
    const component = components[i] as Component;
    if (component.build.kind !== 'reuse' || !isBuildSelected(ctx, component.name)) continue;
    const parent = component.build.reuseFrom;
    ctx.builds[i] = { kind: 'from-component', component: parent };
    ctx.buildDetails[i] = `image of ${parent}`;
    const position = ctx.index.get(parent);
    if (position !== undefined) ctx.images[i] = ctx.images[position];
  }
}
