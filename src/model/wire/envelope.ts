/**
 * Upstream components-api's response envelope: `{data, messages: {info, warning, error}}` on success,
 * `{messages}` with all three lists on an error (docs/upstream-compat.md#envelope). Upstream leaves out the
 * lists a route never filled, so every list is optional here; an error always carries all three.
 */
import { List } from './kit.js';
import { Type, type Static, type TSchema } from '@sinclair/typebox';

const MessageList = (description: string) => List(Type.String(), { description });

export const ApiMessages = Type.Object(
  {
    info: Type.Optional(MessageList('What happened')),
    warning: Type.Optional(MessageList('What the caller should know (the beta warning first)')),
    error: Type.Optional(MessageList('Why the request failed')),
  },
  { description: 'Messages by priority; a list the route never filled is left out' },
);
export type ApiMessagesT = Static<typeof ApiMessages>;

/** A successful answer carrying `data`. */
export const Envelope = <T extends TSchema>(data: T) => Type.Object({ data, messages: ApiMessages });

/** Every 4xx and 5xx answer: no `data`, all three lists (the beta warning in `warning`). */
export const ErrorEnvelope = Type.Object(
  {
    messages: Type.Object({
      info: MessageList('Always empty on an error'),
      warning: MessageList('The beta warning'),
      error: MessageList('Why, one problem per line (a 422 lists every invalid field)'),
    }),
  },
  { description: "Upstream's error envelope" },
);
export type ErrorEnvelopeT = Static<typeof ErrorEnvelope>;
