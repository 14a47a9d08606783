/**
 * Resolving a git ref to a commit with `git ls-remote`, as upstream components-api does before deciding whether
 * an existing build can be reused (docs/upstream-compat.md#builds-and-jobs). Shared by every runtime.
 *
 * Matching: among the refs ls-remote lists for the pattern, prefer the exact full name (`refs/heads/x` given as
 * such), then the branch `refs/heads/<ref>`, then the tag `refs/tags/<ref>` (peeled `^{}` to the commit for an
 * annotated tag), then `HEAD`, then git's first tail match. A full 40-hex commit is returned unchanged without
 * calling git, since ls-remote only lists ref names.
 */
import { execFile } from 'node:child_process';
import type { RefResolution } from '../model/observed-state.js';

export interface ResolveRefOptions {
  readonly signal?: AbortSignal;
  /** Default 20 s, like the toolforge CLIs' HTTP timeout. */
  readonly timeoutMs?: number;
}

const FULL_COMMIT = /^[0-9a-f]{40}$/i;
const DEFAULT_TIMEOUT_MS = 20_000;

interface LsRemoteLine {
  readonly commit: string;
  readonly name: string;
}

function parseLsRemote(stdout: string): LsRemoteLine[] {
  return stdout
    .split('\n')
    .map((line) => line.split('\t'))
    .filter((parts): parts is [string, string] => parts.length === 2 && FULL_COMMIT.test(parts[0] ?? ''))
    .map(([commit, name]) => ({ commit: commit.toLowerCase(), name: name.trim() }));
}

function pick(lines: readonly LsRemoteLine[], ref: string): string | undefined {
  const byName = new Map(lines.map((l) => [l.name, l.commit]));
  const candidates = [`${ref}^{}`, ref, `refs/heads/${ref}`, `refs/tags/${ref}^{}`, `refs/tags/${ref}`];
  for (const name of candidates) {
    const commit = byName.get(name);
    if (commit) return commit;
  }
  return lines[0]?.commit;
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l !== '') ?? ''
  );
}

function runLsRemote(
  repository: string,
  patterns: readonly string[],
  options: ResolveRefOptions,
): Promise<{ ok: true; stdout: string } | { ok: false; error: string }> {
  return new Promise((resolve) => {
    execFile(
      'git',
      ['ls-remote', '--', repository, ...patterns],
      {
        signal: options.signal,
        timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        maxBuffer: 64 * 1024 * 1024,
        // Never prompt for credentials or host keys: a private or unknown repository must fail, not hang.
        env: {
          ...process.env,
          GIT_TERMINAL_PROMPT: '0',
          GIT_ASKPASS: 'true',
          GIT_SSH_COMMAND: 'ssh -o BatchMode=yes',
          LC_ALL: 'C',
        },
      },
      (error, stdout, stderr) => {
        if (!error) return resolve({ ok: true, stdout });
        const killed = (error as { killed?: boolean }).killed === true || error.name === 'AbortError';
        const reason = killed
          ? `git ls-remote ${repository} did not finish within ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`
          : firstLine(stderr) || error.message;
        resolve({ ok: false, error: reason });
      },
    );
  });
}

/**
 * `git ls-remote <repository> <ref>` (HEAD when ref is undefined). Never throws: an unreachable repository is
 * `{ok: false, error: <git's first stderr line>}`, a reachable one without the ref is upstream's
 * `Failed to resolve ref '<ref>' for repository '<url>', does it exist?`.
 */
export async function resolveRef(
  repository: string,
  ref: string | undefined,
  options: ResolveRefOptions = {},
): Promise<RefResolution> {
  const wanted = ref === undefined || ref === '' ? 'HEAD' : ref;
  if (FULL_COMMIT.test(wanted)) return { ok: true, commit: wanted.toLowerCase() };
  if (repository === '' || repository.startsWith('-')) {
    return { ok: false, error: `invalid repository '${repository}'` };
  }
  // Ask for the peeled tag too so an annotated tag resolves to its commit, not to the tag object.
  const patterns = wanted === 'HEAD' ? ['HEAD'] : [wanted, `${wanted}^{}`];
  const result = await runLsRemote(repository, patterns, options);
  if (!result.ok) return result;
  const commit = pick(parseLsRemote(result.stdout), wanted);
  if (commit === undefined) {
    return {
      ok: false,
      error: `Failed to resolve ref '${wanted}' for repository '${repository}', does it exist?`,
    };
  }
  return { ok: true, commit };
}
