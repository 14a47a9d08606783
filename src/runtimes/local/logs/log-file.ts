/**
 * Append-only log files plus an in-memory tail. Each line is written as `<ISO time> [<source>] <text>` where
 * the source says which replica, run or build step wrote it; the tail feeds the `message` of a crash-looping
 * job or a failed build.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

export class LogFile {
  private readonly stream: WriteStream;
  private readonly tail: string[] = [];
  private closed = false;

  constructor(
    readonly path: string,
    private readonly tailSize = 20,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.stream = createWriteStream(path, { flags: 'a' });
    this.stream.on('error', () => {
      // A log that cannot be written must not take the supervised processes down with it.
    });
  }

  write(source: string, text: string): void {
    this.tail.push(`[${source}] ${text}`);
    if (this.tail.length > this.tailSize) this.tail.shift();
    if (!this.closed) this.stream.write(`${new Date().toISOString()} [${source}] ${text}\n`);
  }

  /** The last lines written (newest last), optionally only those of one source. */
  lastLines(count: number, source?: string): string[] {
    const lines = source === undefined ? this.tail : this.tail.filter((l) => l.startsWith(`[${source}] `));
    return lines.slice(-count);
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => this.stream.end(resolve));
  }
}
