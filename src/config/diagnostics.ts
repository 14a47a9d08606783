/**
 * Config problems, collected rather than thrown (Terraform's tfdiags): the loader reports every error and
 * warning it finds, each with the config path and, when the source was YAML/JSON text, its line and column.
 * Each carries a registered code (src/errors.ts) saying what kind of problem it is: callers act on the code,
 * never on the message, which is for people.
 */
import type { ConfigErrorCode, ConfigWarningCode } from '../errors.js';

interface DiagnosticFields {
  /** Dotted config path as the user wrote it, e.g. `components.toolhunt-cleanup.wait-for[0]`; '' for the root. */
  readonly path: string;
  readonly message: string;
  /** 1-based; absent when the config did not come from text with positions. */
  readonly line?: number;
  readonly column?: number;
  /** Optional advice shown after the message (e.g. `did you mean "command"?`); never part of upstream texts. */
  readonly hint?: string;
}

/** An error makes the config unusable; a warning leaves it usable (a field skipped, a value corrected). */
export type Diagnostic =
  | (DiagnosticFields & { readonly severity: 'error'; readonly code: ConfigErrorCode })
  | (DiagnosticFields & { readonly severity: 'warning'; readonly code: ConfigWarningCode });

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
