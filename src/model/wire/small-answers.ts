/** The payloads of the smaller routes: deploy tokens, config search, a component's build logs and restart. */
import { Type, type Static } from '@sinclair/typebox';
import { BUILD_STATES } from '../observed-state.js';
import { OneOf, List } from './kit.js';

/** Upstream's DeployToken, plus ours: `expiration_date`, and `token_exists` when the token cannot be shown. */
export const DeployTokenJson = Type.Object({
  token: Type.Optional(
    Type.String({ description: 'Absent when the server cannot show it (a warning says why)' }),
  ),
  token_exists: Type.Optional(Type.Boolean({ description: 'Ours: set when `token` is not shown' })),
  creation_date: Type.Optional(Type.String()),
  expiration_date: Type.Optional(Type.String({ description: 'Ours' })),
});
export type DeployTokenJsonT = Static<typeof DeployTokenJson>;

export const ConfigSearchJson = Type.Object({
  tools: List(Type.String(), { description: 'The tools whose stored config matches' }),
});

export const BuildLogsJson = Type.Object({
  build_id: Type.String(),
  status: OneOf(BUILD_STATES),
  lines: List(Type.String()),
});
export type BuildLogsJsonT = Static<typeof BuildLogsJson>;

export const RestartJson = Type.Object({ restarted: Type.String({ description: 'The component' }) });
