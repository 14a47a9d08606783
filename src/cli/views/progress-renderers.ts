/**
 * Where deploy progress goes: appended lines when stdout is not a terminal (logs, CI), a redrawn frame with
 * spinners when it is. Both end with the same final text (plainLines of the final state).
 */
import type { Paint } from '../output.js';
import { LiveFrame, type FrameStream } from './live-frame.js';
import { liveLines, plainLines, type DeployProgress } from './deploy-progress.js';

export interface ProgressRenderer {
  update(progress: DeployProgress): void;
  /** Stop drawing (a prompt is shown, or the user stopped watching). */
  pause(): void;
  resume(): void;
  finish(progress: DeployProgress): void;
}

/** Prints each line of plainLines once, as soon as it exists. */
export class PlainProgress implements ProgressRenderer {
  readonly #print: (line: string) => void;
  #printed = 0;

  constructor(print: (line: string) => void) {
    this.#print = print;
  }

  update(progress: DeployProgress): void {
    const lines = plainLines(progress);
    for (const line of lines.slice(this.#printed)) this.#print(line);
    this.#printed = Math.max(this.#printed, lines.length);
  }

  pause(): void {}
  resume(): void {}

  finish(progress: DeployProgress): void {
    this.update(progress);
  }
}

const FRAME_MS = 100;

export class TtyProgress implements ProgressRenderer {
  readonly #frame: LiveFrame;
  readonly #stream: FrameStream;
  readonly #paint: Paint;
  readonly #startedAt = Date.now();
  #current: DeployProgress | undefined;
  #tick = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(stream: FrameStream, paint: Paint) {
    this.#stream = stream;
    this.#frame = new LiveFrame(stream);
    this.#paint = paint;
    this.resume();
  }

  #draw(): void {
    if (!this.#current || !this.#timer) return;
    this.#frame.draw(liveLines(this.#current, Date.now(), this.#tick, this.#paint, this.#startedAt));
  }

  update(progress: DeployProgress): void {
    this.#current = progress;
    this.#draw();
  }

  pause(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#frame.clear();
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
