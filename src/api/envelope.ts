/**
 * Upstream's response envelope `{data, messages: {info, warning, error}}`. Upstream leaves out message lists a
 * route never filled (docs/upstream-compat.md#envelope); each route says which lists it sends, and errors always carry all three with the
 * beta warning.
 */
export const BETA_WARNING = 'You are using a beta feature of Toolforge.';

export interface Messages {
  info?: string[];
  warning?: string[];
  error?: string[];
}

export interface Envelope<T> {
  readonly data: T;
  readonly messages: Messages;
}

export function envelope<T>(data: T, messages: Messages = {}): Envelope<T> {
  return { data, messages };
}

/** All three lists, beta warning first: healthz, the token routes and every error. */
export function fullMessages(extra: Messages = {}): Required<Messages> {
  return {
    info: extra.info ?? [],
    warning: [BETA_WARNING, ...(extra.warning ?? [])],
    error: extra.error ?? [],
  };
}

export function errorBody(errors: readonly string[]): { messages: Required<Messages> } {
  return { messages: fullMessages({ error: [...errors] }) };
}
