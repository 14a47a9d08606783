/**
 * Config problems, collected rather than thrown (Terraform's tfdiags): the loader reports every error and
 * warning it finds, each with the config path and, when the source was YAML/JSON text, its line and column.
 */
export interface Diagnostic {
  readonly severity: 'error' | 'warning';
  /** Dotted config path as the user wrote it, e.g. `components.toolhunt-cleanup.wait-for[0]`; '' for the root. */
  readonly path: string;
  readonly message: string;
  /** 1-based; absent when the config did not come from text with positions. */
  readonly line?: number;
  readonly column?: number;
  /** Optional advice shown after the message (e.g. `did you mean "command"?`); never part of upstream texts. */
  readonly hint?: string;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
