/**
 * Reads a log file as an async iterable of lines; with `follow`, keeps waiting for new lines (polling the size,
 * which works on every filesystem, unlike fs.watch) until the signal aborts. A file truncated under us is read
 * again from the start.
 */
import { open, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

export interface FollowOptions {
  readonly follow?: boolean;
  readonly signal?: AbortSignal;
  readonly pollMs?: number;
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}

async function readRange(path: string, from: number, to: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(to - from);
    const { bytesRead } = await handle.read(buffer, 0, to - from, from);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

export async function* followLines(path: string, options: FollowOptions = {}): AsyncGenerator<string> {
  const pollMs = options.pollMs ?? 200;
  let offset = 0;
  let rest = '';
  for (;;) {
    if (options.signal?.aborted) return;
    const size = await sizeOf(path);
    if (size !== undefined && size < offset) {
      offset = 0;
      rest = '';
    }
    if (size !== undefined && size > offset) {
      const end = Math.min(size, offset + 1024 * 1024);
      const parts = (rest + (await readRange(path, offset, end)).toString('utf8')).split('\n');
      offset = end;
      rest = parts.pop() ?? '';
      for (const line of parts) yield line;
      continue;
    }
    if (!options.follow) {
      if (rest !== '') yield rest;
      return;
    }
    try {
      await sleep(pollMs, undefined, { signal: options.signal });
    } catch {
      return;
    }
  }
}
