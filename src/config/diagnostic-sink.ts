/**
 * Collects the loader's diagnostics. Positions are source offsets until the end, when they become line:column
 * (for a parsed JSON value without text they are only an order of appearance).
 * The number kept is capped so that a huge broken file (or an alias bomb) cannot flood memory or the terminal;
 * the last diagnostic then says how many were left out.
 */
import type { Diagnostic } from './diagnostics.js';
import type { LineIndex } from './line-index.js';

export const MAX_DIAGNOSTICS = 1000;

interface PendingDiagnostic {
  readonly severity: 'error' | 'warning';
  readonly path: string;
  readonly message: string;
  readonly offset?: number;
  readonly hint?: string;
}

export class DiagnosticSink {
  private readonly pending: PendingDiagnostic[] = [];
  private dropped = 0;
  private errors = 0;

  constructor(private readonly lines?: LineIndex) {}

  error(path: string, message: string, offset?: number, hint?: string): void {
    this.errors++;
    this.add({ severity: 'error', path, message, offset, hint });
  }

  warning(path: string, message: string, offset?: number, hint?: string): void {
    this.add({ severity: 'warning', path, message, offset, hint });
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
      out.push({
        severity: this.errors > 0 ? 'error' : 'warning',
        path: '',
        message: `${this.dropped} more problems not shown (only the first ${MAX_DIAGNOSTICS} are reported)`,
      });
    }
    return out;
  }

  private add(p: PendingDiagnostic): void {
    if (this.pending.length >= MAX_DIAGNOSTICS) this.dropped++;
    else this.pending.push(p);
  }

  private toDiagnostic(p: PendingDiagnostic): Diagnostic {
    const position = this.lines && p.offset !== undefined ? this.lines.position(p.offset) : undefined;
    return {
      severity: p.severity,
      path: p.path,
      message: p.message,
      ...(position ? { line: position.line, column: position.column } : {}),
      ...(p.hint ? { hint: p.hint } : {}),
    };
  }
}
