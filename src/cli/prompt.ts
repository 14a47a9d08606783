/**
 * click's `confirm`: `<question> [y/N]: `, default no; end of input aborts (click's `Abort`).
 */
import { createInterface } from 'node:readline';
import { PromptAbortError } from './client-errors.js';

export interface PromptIo {
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
}

function readLine(io: PromptIo, question: string, signal?: AbortSignal): Promise<string | undefined> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: io.input, output: io.output, terminal: false });
    let answered = false;
    signal?.addEventListener('abort', () => rl.close(), { once: true });
    io.output.write(question);
    rl.once('line', (line) => {
      answered = true;
      rl.close();
      resolve(line);
    });
    rl.once('close', () => {
      if (!answered) resolve(undefined);
    });
  });
}

/** `signal` gives up waiting (as end of input does). */
export async function confirm(
  question: string,
  io: PromptIo = { input: process.stdin, output: process.stdout },
  signal?: AbortSignal,
): Promise<boolean> {
  for (;;) {
    if (signal?.aborted) throw new PromptAbortError();
    const line = await readLine(io, `${question} [y/N]: `, signal);
    if (line === undefined) {
      io.output.write('\n');
      throw new PromptAbortError();
    }
    const answer = line.trim().toLowerCase();
    if (answer === 'y' || answer === 'yes') return true;
    if (answer === '' || answer === 'n' || answer === 'no') return false;
    io.output.write('Error: invalid input\n');
  }
}
