/**
 * Bounds on a plain-folder source. A folder is hashed (to name its image) on every plan and build, and copied
 * into the image, so a `repository:` that points at a home directory or `/` must fail fast with a reason instead
 * of reading gigabytes while a deploy request waits. The defaults fit any real tool source; both limits can be
 * raised for the service with environment variables (or `LocalRuntimeOptions.folderLimits`).
 */
import { RuntimeError } from '../../runtime.js';

export interface FolderLimits {
  /** Files, folders and symlinks counted together (the skipped folders and their content do not count). */
  readonly maxEntries: number;
  /** Sum of the regular files' sizes, in bytes. */
  readonly maxBytes: number;
}

export const MAX_ENTRIES_ENV = 'TOOLFORGE_COMPONENTS_FOLDER_MAX_FILES';
export const MAX_BYTES_ENV = 'TOOLFORGE_COMPONENTS_FOLDER_MAX_BYTES';

export const DEFAULT_FOLDER_LIMITS: FolderLimits = {
  maxEntries: 20_000,
  maxBytes: 512 * 1024 * 1024,
};

const UNITS: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** The one error of an invalid limit variable: the service refuses to start rather than guess. */
export class FolderLimitSettingError extends RuntimeError {
  constructor(variable: string, value: string) {
    super(
      'rejected',
      `${variable}='${value}' is not a valid limit: expected a positive whole number` +
        (variable === MAX_BYTES_ENV ? ', optionally with K, M or G (e.g. 2G)' : ''),
    );
    this.name = 'FolderLimitSettingError';
  }
}

/** A positive integer, with an optional binary K/M/G suffix when `units` is true. */
function parseLimit(variable: string, value: string, units: boolean): number {
  const match = /^\s*(\d+)\s*([kmg]?)i?b?\s*$/i.exec(value);
  const unit = match?.[2]?.toLowerCase() ?? '';
  const parsed = match ? Number(match[1]) * (UNITS[unit] ?? 1) : NaN;
  if (!Number.isSafeInteger(parsed) || parsed <= 0 || (!units && unit !== '')) {
    throw new FolderLimitSettingError(variable, value);
  }
  return parsed;
}

/** The limits set by the environment, the defaults for what it does not set. */
export function folderLimitsFromEnv(env: Readonly<Record<string, string | undefined>>): FolderLimits {
  const entries = env[MAX_ENTRIES_ENV];
  const bytes = env[MAX_BYTES_ENV];
  return {
    maxEntries:
      entries === undefined || entries === ''
        ? DEFAULT_FOLDER_LIMITS.maxEntries
        : parseLimit(MAX_ENTRIES_ENV, entries, false),
    maxBytes:
      bytes === undefined || bytes === ''
        ? DEFAULT_FOLDER_LIMITS.maxBytes
        : parseLimit(MAX_BYTES_ENV, bytes, true),
  };
}

function mebibytes(bytes: number): string {
  return `${Math.round((bytes / 1024 ** 2) * 10) / 10} MiB`;
}

/**
 * A folder source over a limit. Its message is what the deployment shows: the folder, the limit hit, and the two
 * ways out (a smaller folder or git repository, or a higher limit for the service).
 */
export class FolderTooLargeError extends RuntimeError {
  readonly folder: string;
  readonly limit: 'entries' | 'bytes';
  constructor(folder: string, limit: 'entries' | 'bytes', limits: FolderLimits) {
    const what =
      limit === 'entries'
        ? `more than ${limits.maxEntries} files and folders`
        : `more than ${mebibytes(limits.maxBytes)} of files`;
    const variable = limit === 'entries' ? MAX_ENTRIES_ENV : MAX_BYTES_ENV;
    const example =
      limit === 'entries'
        ? String(limits.maxEntries * 2)
        : `${Math.ceil((limits.maxBytes * 2) / 1024 ** 2)}M`;
    super(
      'rejected',
      `folder ${folder} is too large to build from: ${what} (not counting .git, node_modules, .venv, ` +
        `__pycache__). Point 'repository' at the tool's own folder or at a git repository, or raise the ` +
        `limit by starting the service with ${variable} set higher (e.g. ${variable}=${example})`,
    );
    this.name = 'FolderTooLargeError';
    this.folder = folder;
    this.limit = limit;
  }
}
