/** The runtimes a service can be started with by name (`serve --runtime`); its own module so `--help` stays light. */
export const RUNTIME_KINDS = ['local', 'toolforge'] as const;
export type RuntimeKind = (typeof RUNTIME_KINDS)[number];
