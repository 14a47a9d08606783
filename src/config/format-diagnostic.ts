/**
 * One readable line per diagnostic, compiler style:
 * `mytool.yaml:12:7: components.x.wait-for[0]: unknown component "y" (did you mean "z"?)`,
 * with `warning: ` in front of warnings. The path is left out when the message already names it
 * (upstream's `Unknown field <path>, skipped`).
 */
import type { Diagnostic } from './diagnostics.js';

export function formatDiagnostic(d: Diagnostic, fileName?: string): string {
  const position = d.line !== undefined ? `${d.line}:${d.column ?? 1}` : undefined;
  const location = [fileName, position].filter((part) => part !== undefined && part !== '').join(':');
  const showPath = d.path !== '' && !d.message.includes(d.path);
  const text = `${showPath ? `${d.path}: ` : ''}${d.message}${d.hint ? ` (${d.hint})` : ''}`;
  const line = location ? `${location}: ${text}` : text;
  return d.severity === 'warning' ? `warning: ${line}` : line;
}
