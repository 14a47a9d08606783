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

/**
 * One plain sentence for a file that cannot be read (`config file x.yaml does not exist`), instead of an errno:
 * `what` names the file's role ("config file", "status file").
 */
export function unreadableFileMessage(what: string, path: string, error: unknown): string {
  const code = error instanceof Error && 'code' in error ? String(error.code) : undefined;
  switch (code) {
    case 'ENOENT':
      return `${what} ${path} does not exist`;
    case 'EISDIR':
      return `${what} ${path} is a folder, not a file`;
    case 'EACCES':
    case 'EPERM':
      return `${what} ${path} cannot be read: permission denied`;
    case 'ENOTDIR':
      return `${what} ${path} does not exist (a part of its path is not a folder)`;
    default:
      return `${what} ${path} cannot be read: ${error instanceof Error ? error.message : String(error)}`;
  }
}
