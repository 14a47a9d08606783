/**
 * Collects the loader's diagnostics. Positions are source offsets until the end, when they become line:column
 * (for a parsed JSON value without text they are only an order of appearance).
 * The number kept is capped so that a huge broken file (or an alias bomb) cannot flood memory or the terminal;
 * the last diagnostic then says how many were left out.
 */
import type { ConfigErrorCode, ConfigWarningCode } from '../errors.js';
import type { Diagnostic } from './diagnostics.js';
import type { LineIndex } from './line-index.js';

export const MAX_DIAGNOSTICS = 1000;

/** A diagnostic before its offset became line:column; per severity, so that each keeps its own kind of code. */
type Pending<D> = D extends Diagnostic ? Omit<D, 'line' | 'column'> & { readonly offset?: number } : never;
type PendingDiagnostic = Pending<Diagnostic>;

export class DiagnosticSink {
  private readonly pending: PendingDiagnostic[] = [];
  private dropped = 0;
  private errors = 0;

  constructor(private readonly lines?: LineIndex) {}

  error(code: ConfigErrorCode, path: string, message: string, offset?: number, hint?: string): void {
    this.errors++;
    this.add({ severity: 'error', code, path, message, offset, hint });
  }

  warning(code: ConfigWarningCode, path: string, message: string, offset?: number, hint?: string): void {
    this.add({ severity: 'warning', code, path, message, offset, hint });
  }

  /** `line 12` for an offset, for messages that point at a second place; undefined without positions. */
  describeOffset(offset: number | undefined): string | undefined {
    if (!this.lines || offset === undefined) return undefined;
    return `line ${this.lines.position(offset).line}`;
  }

  get hasErrors(): boolean {
    return this.errors > 0;
  }

  get errorCount(): number {
    return this.errors;
  }

  /**
   * In document order (problems found by later passes, such as cycles, slot into place); offsets are only
   * turned into line:column when there is source text.
   */
  finish(): Diagnostic[] {
    const located = this.pending.map((p, index) => ({ p, index }));
    located.sort((a, b) => (a.p.offset ?? Infinity) - (b.p.offset ?? Infinity) || a.index - b.index);
    const out = located.map(({ p }) => this.toDiagnostic(p));
    if (this.dropped > 0) {
      const message = `${this.dropped} more problems not shown (only the first ${MAX_DIAGNOSTICS} are reported)`;
      out.push(
        this.errors > 0
          ? { severity: 'error', code: 'CMP_ERR_CONFIG_TOO_MANY_PROBLEMS', path: '', message }
          : { severity: 'warning', code: 'CMP_WARN_CONFIG_TOO_MANY_PROBLEMS', path: '', message },
      );
    }
    return out;
  }

  private add(p: PendingDiagnostic): void {
    if (this.pending.length >= MAX_DIAGNOSTICS) this.dropped++;
    else this.pending.push(p);
  }

  private toDiagnostic({ offset, hint, ...p }: PendingDiagnostic): Diagnostic {
    const position = this.lines && offset !== undefined ? this.lines.position(offset) : undefined;
    return {
      ...p,
      ...(position ? { line: position.line, column: position.column } : {}),
      ...(hint ? { hint } : {}),
    };
  }
}
