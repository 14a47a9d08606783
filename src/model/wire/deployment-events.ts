/**
 * The deployment events stream (`GET …/deployment/{id}/events`, text/event-stream): one `task` or `deployment`
 * event per transition, its `id:` the event's `seq` (what `Last-Event-ID` resumes after), then one `end`
 * event once the deployment is final (or was deleted).
 */
import { Type, type Static } from '@sinclair/typebox';
import { DEPLOYMENT_STATES, TASK_STATES } from '../deployment.js';
import { OneOf } from './kit.js';

const Transition = {
  seq: Type.Integer({ minimum: 1, description: 'Increasing per deployment; also the SSE `id:`' }),
  at: Type.String({ description: 'ISO 8601' }),
  reason: Type.Optional(Type.String()),
};

/** `event: task`. */
export const TaskEventJson = Type.Object({
  ...Transition,
  type: Type.Literal('task'),
  task: Type.String({ description: 'The task id (`deploy:web`)' }),
  state: OneOf(TASK_STATES),
});

/** `event: deployment`. */
export const DeploymentEventJson = Type.Object({
  ...Transition,
  type: Type.Literal('deployment'),
  state: OneOf(DEPLOYMENT_STATES),
});

/** `event: end`: the stream is over. */
export const EndEventJson = Type.Object({
  state: OneOf([...DEPLOYMENT_STATES, 'deleted'], 'The final state; `deleted` when it was deleted'),
  long_status: Type.String(),
});

export const DeploymentStreamEventJson = Type.Union([TaskEventJson, DeploymentEventJson, EndEventJson], {
  description: 'The `data:` of each event, by its `event:` name (task, deployment, end)',
});

export type TaskEventJsonT = Static<typeof TaskEventJson>;
export type DeploymentEventJsonT = Static<typeof DeploymentEventJson>;
export type EndEventJsonT = Static<typeof EndEventJson>;
