/**
 * Redraws a block of lines in place on a terminal (what log-update does): move the cursor up over the previous
 * frame, clear to the end of the screen, write the new one. Wrapped lines are counted so the cursor lands right.
 */
import { visibleLength } from '../output.js';

export interface FrameStream {
  write(text: string): boolean;
  readonly columns?: number;
}

export class LiveFrame {
  readonly #stream: FrameStream;
  #rows = 0;

  constructor(stream: FrameStream) {
    this.#stream = stream;
  }

  #rowsOf(lines: readonly string[]): number {
    const width = this.#stream.columns && this.#stream.columns > 0 ? this.#stream.columns : 80;
    return lines.reduce((rows, line) => rows + Math.max(1, Math.ceil(visibleLength(line) / width)), 0);
  }

  #erase(): string {
    return this.#rows > 0 ? `\u001b[${this.#rows}F\u001b[0J` : '';
  }

  draw(lines: readonly string[]): void {
    this.#stream.write(`${this.#erase()}${lines.map((l) => `${l}\n`).join('')}`);
    this.#rows = this.#rowsOf(lines);
  }

  /** Removes the frame (before a prompt, or to replace it with the final text). */
  clear(): void {
    if (this.#rows > 0) this.#stream.write(this.#erase());
    this.#rows = 0;
  }
}
