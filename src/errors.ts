/**
 * The base of every error we show to a person. `message` is the one readable line the CLI prints and the API
 * puts in `messages.error`; `code` is stable (documented in docs/errors.md); `status` is the HTTP status the API
 * answers with; `exitCode` the CLI's.
 */
export class UserError extends Error {
  readonly code: string;
  readonly status: number;
  readonly exitCode: number;
  constructor(
    code: string,
    message: string,
    options?: { status?: number; exitCode?: number; cause?: unknown },
  ) {
    super(message, { cause: options?.cause });
    this.name = 'UserError';
    this.code = code;
    this.status = options?.status ?? 400;
    this.exitCode = options?.exitCode ?? 1;
  }
}
