/**
 * Where deploy progress goes: appended lines when stdout is not a terminal (logs, CI), a redrawn frame with
 * spinners when it is (log-update: it erases the previous frame, wrapped rows included, and keeps a frame taller
 * than the terminal from scrolling out of its reach). Both end with the same final text (plainLines of the
 * final state).
 */
import { Writable } from 'node:stream';
import { createLogUpdate } from 'log-update';
import type { Paint } from '../output.js';
import { plainLines, type DeployProgress } from './deploy-progress.js';
import { liveLines } from './live-lines.js';
import { ActivityLog } from './activity.js';

export interface ProgressRenderer {
  update(progress: DeployProgress): void;
  /** Stop drawing (a prompt is shown, or the user stopped watching). */
  pause(): void;
  resume(): void;
  finish(progress: DeployProgress): void;
}

export interface ActivityOptions {
  /** Where the activity lines go (stderr: stdout keeps only the result lines). */
  readonly print: (line: string) => void;
  /** How often a task that stays in one state is reminded of (default 30 s). */
  readonly reminderMs?: number;
  readonly now?: () => number;
}

/** Default reminder interval; TOOLFORGE_COMPONENTS_REMINDER (a duration, e.g. `10s`) overrides it. */
export const DEFAULT_REMINDER_MS = 30_000;

/**
 * Prints each line of plainLines once, as soon as it exists; with `activity`, also one line per change of a
 * task as it happens, and a reminder of each long wait at a steady interval.
 */
export class PlainProgress implements ProgressRenderer {
  readonly #print: (line: string) => void;
  readonly #activity?: ActivityOptions;
  readonly #log = new ActivityLog();
  #printed = 0;
  #current: DeployProgress | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(print: (line: string) => void, activity?: ActivityOptions) {
    this.#print = print;
    this.#activity = activity;
    if (activity) {
      const interval = activity.reminderMs ?? DEFAULT_REMINDER_MS;
      // Checked more often than the interval, so a reminder comes at most a second late; never keeps the process up.
      this.#timer = setInterval(() => this.#remind(interval), Math.min(1_000, interval));
      this.#timer.unref();
    }
  }

  #now(): number {
    return this.#activity?.now?.() ?? Date.now();
  }

  #remind(interval: number): void {
    if (!this.#current || !this.#activity) return;
    for (const line of this.#log.reminders(this.#current, this.#now(), interval)) this.#activity.print(line);
  }

  update(progress: DeployProgress): void {
    this.#current = progress;
    if (this.#activity) {
      for (const line of this.#log.changes(progress, this.#now())) this.#activity.print(line);
    }
    const lines = plainLines(progress);
    for (const line of lines.slice(this.#printed)) this.#print(line);
    this.#printed = Math.max(this.#printed, lines.length);
  }

  pause(): void {}
  resume(): void {}

  finish(progress: DeployProgress): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.update(progress);
  }
}

const FRAME_MS = 100;

interface Terminal {
  write(text: string): boolean;
  readonly columns?: number;
  readonly rows?: number;
}

/**
 * The terminal as log-update sees it: it fits each frame to the reported size, and a terminal that reports
 * none (0 × 0, as a pseudo-terminal without a size does) would get empty frames; 80 × 24 then, like a console.
 */
class SizedTerminal extends Writable {
  constructor(private readonly terminal: Terminal) {
    super({
      write: (chunk: Buffer, _encoding, done) => {
        terminal.write(chunk.toString());
        done();
      },
    });
  }

  get columns(): number {
    return this.terminal.columns || 80;
  }

  get rows(): number {
    return this.terminal.rows || 24;
  }
}

export class TtyProgress implements ProgressRenderer {
  readonly #frame: ReturnType<typeof createLogUpdate>;
  readonly #stream: Terminal;
  readonly #paint: Paint;
  readonly #startedAt = Date.now();
  #current: DeployProgress | undefined;
  #tick = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(stream: Terminal, paint: Paint) {
    this.#stream = stream;
    this.#frame = createLogUpdate(new SizedTerminal(stream));
    this.#paint = paint;
    this.resume();
  }

  #draw(): void {
    if (!this.#current || !this.#timer) return;
    this.#frame(liveLines(this.#current, Date.now(), this.#tick, this.#paint, this.#startedAt).join('\n'));
  }

  update(progress: DeployProgress): void {
    this.#current = progress;
    this.#draw();
  }

  pause(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#frame.clear();
    this.#frame.done(); // shows the cursor again (before a prompt, or for the final text)
  }

  resume(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      this.#tick += 1;
      this.#draw();
    }, FRAME_MS);
    this.#draw();
  }

  finish(progress: DeployProgress): void {
    this.pause();
    this.#stream.write(
      plainLines(progress)
        .map((line) => `${line}\n`)
        .join(''),
    );
  }
}
