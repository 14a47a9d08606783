/**
 * How API failures reach the user, as upstream's CLI shows them: a 4xx is the user's problem (`Error: <first
 * messages.error>`); a 5xx, a service that is down or an unexpected answer is ours (`ComponentsClientError: …`
 * plus the report line).
 */
import { UserError } from '../errors.js';

export const REPORT_LINE =
  'Please report this issue to the Toolforge admins if it persists: https://w.wiki/6Zuu';
export const SERVICE_DOWN = 'The components service seems to be down – please retry in a few minutes.';

export interface ApiMessages {
  readonly info: readonly string[];
  readonly warning: readonly string[];
  readonly error: readonly string[];
}

export const NO_MESSAGES: ApiMessages = { info: [], warning: [], error: [] };

/** An HTTP 4xx: the message is the first `messages.error` (or the raw body when it is not our envelope). */
export class ComponentsApiError extends UserError {
  constructor(
    readonly httpStatus: number,
    message: string,
    readonly messages: ApiMessages,
  ) {
    super('CMP_ERR_API', message, { status: httpStatus, exitCode: 1 });
    this.name = 'ComponentsApiError';
  }
}

/** A 5xx, a connection problem or an answer we cannot read. Printed with its class name and the report line. */
export class ComponentsClientError extends UserError {
  constructor(
    message: string,
    readonly messages: ApiMessages = NO_MESSAGES,
    options?: { cause?: unknown },
  ) {
    super('CMP_ERR_CLIENT', message, { status: 502, exitCode: 1, ...options });
    this.name = 'ComponentsClientError';
  }
}

/** Answering no to a confirmation. */
export class AbortedByUserError extends UserError {
  constructor() {
    super('CMP_ERR_ABORTED', "Aborting at user's request.", { exitCode: 1 });
    this.name = 'AbortedByUserError';
  }
}

/** End of input while a confirmation waits (click's `Abort`). */
export class PromptAbortError extends UserError {
  constructor() {
    super('CMP_ERR_PROMPT_EOF', '', { exitCode: 1 });
    this.name = 'Abort';
  }
}
