/**
 * Terminal output as upstream's click CLI does it: colours only on a terminal (and never with NO_COLOR),
 * info lines to stdout, `Warning: …` to stderr, JSON with indent 4.
 */
import { stripVTControlCharacters, styleText } from 'node:util';
import type { ApiMessages } from './client-errors.js';

export type Colour = 'red' | 'green' | 'yellow' | 'blue' | 'bold' | 'dim';

export type Paint = (colour: Colour, text: string) => string;

/**
 * Whether to colour is decided once per stream by colourEnabled (stdout and stderr may differ), so styleText is
 * told not to decide again from process.stdout.
 */
export function painter(enabled: boolean): Paint {
  return (colour, text) => (enabled ? styleText(colour, text, { validateStream: false }) : text);
}

export function colourEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

/** The text without ANSI colour codes. */
export function stripAnsi(text: string): string {
  return stripVTControlCharacters(text);
}

/** Visible width: ANSI colour codes take no room. */
export function visibleLength(text: string): number {
  return [...stripAnsi(text)].length;
}

/** Upstream's status colours: running/pending yellow, failed red, successful/cancelled green, others yellow. */
export function statusColour(status: string): Colour {
  if (status === 'failed') return 'red';
  if (status === 'successful' || status === 'cancelled' || status === 'unchanged') return 'green';
  return 'yellow';
}

export interface Output {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly paintOut: Paint;
  readonly paintErr: Paint;
}

export function processOutput(): Output {
  return {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    paintOut: painter(colourEnabled(process.stdout)),
    paintErr: painter(colourEnabled(process.stderr)),
  };
}

/** After a call: info lines to stdout in blue, warnings to stderr in yellow. `messages.error` is never shown here. */
export function printMessages(output: Output, messages: ApiMessages): void {
  for (const line of messages.info) output.out(output.paintOut('blue', line));
  for (const line of messages.warning) output.err(output.paintErr('yellow', `Warning: ${line}`));
}

/** Python's `json.dumps(value, indent=4)`: indent 4 and non-ASCII escaped (ensure_ascii), as upstream prints. */
export function formatJson(value: unknown): string {
  return JSON.stringify(value, null, 4).replace(
    /[\u0080-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export function printJson(output: Output, value: unknown): void {
  output.out(formatJson(value));
}
