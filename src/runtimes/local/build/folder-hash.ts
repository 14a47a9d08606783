/**
 * The "commit" of a plain-folder source: a sha256 over what a build copies into the image, computed without
 * blocking the event loop and within `FolderLimits`.
 *
 * What is hashed is exactly what `checkoutSource` copies: every folder, regular file and symlink under the root,
 * except the names in `SKIPPED_NAMES` at any depth. So two folders with the same hash give byte-identical build
 * inputs, and a change the hash ignores never reaches an image. Per entry: the relative path, the kind
 * (folder, file, executable file, symlink) and the content (a symlink's target text, never what it points to,
 * since the image holds the link itself). Sockets, FIFOs and devices are neither hashed nor copied.
 *
 * The walk counts entries and bytes from `lstat` before any content is read, so a folder over a limit fails
 * after at most `maxEntries` directory entries; contents are streamed in chunks, so a large file never sits in
 * memory and the server keeps answering while a folder is hashed.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, opendir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_FOLDER_LIMITS, FolderTooLargeError, type FolderLimits } from './folder-limits.js';

/**
 * Never part of a folder source, at any depth. `.git`: version-control metadata (a folder whose root has one is
 * built as a git repository instead). `node_modules`, `.venv`: installed by the build itself from package.json
 * and requirements.txt (a local copy holds absolute paths of this machine, and in a git repository they are
 * ignored by convention, so Toolforge would not see them either). `__pycache__`: bytecode caches that Python
 * writes next to the sources whenever they run, regenerated at will.
 */
export const SKIPPED_NAMES: ReadonlySet<string> = new Set(['.git', 'node_modules', '.venv', '__pycache__']);

type Kind = 'dir' | 'file' | 'symlink';

interface FolderEntry {
  readonly path: string;
  readonly kind: Kind;
  readonly size: number;
  readonly executable: boolean;
}

export interface FolderHashOptions {
  readonly limits?: FolderLimits;
  readonly signal?: AbortSignal;
}

/** Thrown when the caller's signal aborts a walk or a hash in progress. */
export class FolderHashAborted extends Error {
  constructor(folder: string) {
    super(`hashing ${folder} was cancelled`);
    this.name = 'FolderHashAborted';
  }
}

function kindOf(entry: {
  isDirectory(): boolean;
  isFile(): boolean;
  isSymbolicLink(): boolean;
}): Kind | undefined {
  if (entry.isSymbolicLink()) return 'symlink';
  if (entry.isDirectory()) return 'dir';
  if (entry.isFile()) return 'file';
  return undefined;
}

/** The entries to hash, unsorted; throws `FolderTooLargeError` as soon as a limit is passed. */
async function walk(
  root: string,
  limits: FolderLimits,
  signal: AbortSignal | undefined,
): Promise<FolderEntry[]> {
  const out: FolderEntry[] = [];
  const pending = [''];
  let bytes = 0;
  for (let relative = pending.pop(); relative !== undefined; relative = pending.pop()) {
    // opendir reads the folder in small batches: a folder with a million entries stops at the limit.
    for await (const dirent of await opendir(join(root, relative))) {
      if (signal?.aborted) throw new FolderHashAborted(root);
      if (SKIPPED_NAMES.has(dirent.name)) continue;
      const kind = kindOf(dirent);
      if (kind === undefined) continue;
      const path = relative === '' ? dirent.name : `${relative}/${dirent.name}`;
      if (out.length + 1 > limits.maxEntries) throw new FolderTooLargeError(root, 'entries', limits);
      if (kind === 'dir') {
        pending.push(path);
        out.push({ path, kind, size: 0, executable: false });
        continue;
      }
      const info = await lstat(join(root, path));
      const size = kind === 'file' ? info.size : 0;
      bytes += size;
      if (bytes > limits.maxBytes) throw new FolderTooLargeError(root, 'bytes', limits);
      out.push({ path, kind, size, executable: kind === 'file' && (info.mode & 0o111) !== 0 });
    }
  }
  return out;
}

/** Streams a file into `hash`; a size other than the walk's means the file changed under us. */
async function hashFile(
  hash: Hash,
  full: string,
  expected: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  let read = 0;
  const stream = createReadStream(full, { highWaterMark: 1024 * 1024, ...(signal ? { signal } : {}) });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    read += chunk.length;
    if (read > expected) break;
    hash.update(chunk);
  }
  if (read !== expected) throw new Error(`${full} changed while it was being hashed; try again`);
}

function header(entry: FolderEntry, length: number): string {
  const flag = entry.kind === 'dir' ? 'd' : entry.kind === 'symlink' ? 'l' : entry.executable ? 'x' : '-';
  return `${entry.path}\0${flag}\0${length}\0`;
}

/** sha256 of a folder source (see the module comment); `FolderTooLargeError` past the limits. */
export async function directoryHash(root: string, options: FolderHashOptions = {}): Promise<string> {
  const { signal } = options;
  const entries = await walk(root, options.limits ?? DEFAULT_FOLDER_LIMITS, signal);
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const hash = createHash('sha256');
  for (const entry of entries) {
    if (signal?.aborted) throw new FolderHashAborted(root);
    const full = join(root, entry.path);
    if (entry.kind === 'symlink') {
      const target = Buffer.from(await readlink(full));
      hash.update(header(entry, target.length));
      hash.update(target);
    } else {
      hash.update(header(entry, entry.size));
      if (entry.kind === 'file') await hashFile(hash, full, entry.size, signal);
    }
  }
  return hash.digest('hex');
}

/** `fs.cp`'s filter for a copy of `root` that holds exactly what `directoryHash` hashes. */
export function copyFilter(root: string): (path: string) => Promise<boolean> {
  return async (path) => {
    if (path === root) return true;
    if (SKIPPED_NAMES.has(path.slice(path.lastIndexOf('/') + 1))) return false;
    const info = await lstat(path).catch(() => undefined);
    return info !== undefined && kindOf(info) !== undefined;
  };
}
