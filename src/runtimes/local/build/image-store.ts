/**
 * The content-addressed image store: an image is a directory `images/<key>` with
 * key = sha256(repository, commit, build flags, build envvars). It is written once (built in `images/.staging/`, renamed into
 * place) and never changed, so the same source is never built twice and a running job's files never move.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LocalPaths } from '../state/local-paths.js';

export interface ImageIdentity {
  readonly repository: string;
  readonly commit: string;
  readonly useLatestVersions: boolean;
  readonly useDeprecatedVersions: boolean;
  /** Build-time variables: they change what the build produces, so they are part of the key. */
  readonly envvars?: Readonly<Record<string, string>>;
}

// Shaped like a Toolforge image pinned to a digest, so that the planner compares local and Toolforge images
// the same way (same repository path → same image; another digest → rebuilt).
const IMAGE_REF = /^tool-[^/\s]+\/([^@:\s]+):latest@sha256:([0-9a-f]{64})$/;

export function imageKey(identity: ImageIdentity): string {
  const flags = `${identity.useLatestVersions ? 1 : 0}${identity.useDeprecatedVersions ? 1 : 0}`;
  const names = Object.keys(identity.envvars ?? {}).sort();
  // Without envvars the key is what it always was, so images built before envvars existed are still found.
  const envvars =
    names.length === 0 ? '' : `\0${JSON.stringify(names.map((n) => [n, identity.envvars?.[n]]))}`;
  return createHash('sha256')
    .update(`${identity.repository}\0${identity.commit}\0${flags}${envvars}`)
    .digest('hex');
}

/** What `JobSpec.image` and `BuildRecord.image` hold: `tool-<tool>/<imageName>:latest@sha256:<key>`. */
export function imageRef(tool: string, imageName: string, key: string): string {
  return `tool-${tool}/${imageName}:latest@sha256:${key}`;
}

export function parseImageRef(ref: string): { readonly imageName: string; readonly key: string } | undefined {
  const match = IMAGE_REF.exec(ref);
  return match ? { imageName: match[1] ?? '', key: match[2] ?? '' } : undefined;
}

export class ImageStore {
  constructor(private readonly paths: LocalPaths) {}

  has(key: string): boolean {
    return existsSync(this.paths.image(key));
  }

  dir(key: string): string {
    return this.paths.image(key);
  }

  async newStagingDir(key: string): Promise<string> {
    await mkdir(this.paths.stagingDir, { recursive: true });
    return join(this.paths.stagingDir, `${key}-${randomBytes(4).toString('hex')}`);
  }

  /**
   * Moves a finished staging directory into place. Tools such as virtualenv write absolute paths into their
   * scripts; those are rewritten from the staging path to the final one first. A racing build of the same key
   * that won keeps its image (they are identical by construction).
   */
  async commit(key: string, staging: string): Promise<void> {
    const target = this.paths.image(key);
    await rewritePaths(join(staging, '.venv'), staging, target);
    try {
      await rename(staging, target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if ((code === 'ENOTEMPTY' || code === 'EEXIST') && this.has(key)) {
        await rm(staging, { recursive: true, force: true });
        return;
      }
      throw error;
    }
  }

  async discard(staging: string): Promise<void> {
    await rm(staging, { recursive: true, force: true });
  }
}

async function rewritePaths(dir: string, from: string, to: string): Promise<void> {
  if (!existsSync(dir)) return;
  for (const sub of ['bin', '.']) {
    const folder = join(dir, sub);
    for (const name of await readdir(folder).catch(() => [] as string[])) {
      const file = join(folder, name);
      const info = await lstat(file).catch(() => undefined);
      if (info === undefined || !info.isFile() || info.size > 1024 * 1024) continue;
      const text = await readFile(file, 'utf8').catch(() => '');
      if (text.includes(from)) await writeFile(file, text.split(from).join(to), { mode: info.mode });
    }
  }
}
