// The layer map of src/ (docs/architecture.md), checked by `npm run depcheck`.
// Each folder may import only itself and the folders listed before it (a lower layer); the simulator is a
// program of its own beside the layers.
// Tests (*.test.ts, test/, bench/) are outside the layer rules but inside the cycle rule.

/** Bottom first. A file belongs to the layer one of whose patterns matches its path after `src/`. */
const LAYERS = [
  ['model', ['model/']],
  ['base', ['version\\.ts$', 'errors\\.ts$', 'duration\\.ts$', 'support/']],
  ['dag', ['dag/']],
  ['config', ['config/']],
  ['plan', ['plan/']],
  ['toolforge-env', ['toolforge/']],
  ['runtimes', ['runtimes/']],
  ['status', ['status/']],
  ['store', ['store/']],
  ['execute', ['execute/']],
  ['api', ['api/']],
  ['web', ['web/']],
  ['instance', ['instance/']],
  ['cli', ['cli/']],
];

const NOT_TESTS = '\\.test\\.ts$';
const alt = (patterns) => `^src/(${patterns.join('|')})`;

const upward = LAYERS.slice(0, -1).map(([name, patterns], i) => ({
  name: `layer-${name}`,
  comment: `${name} imports only lower layers (${LAYERS.slice(0, i)
    .map(([n]) => n)
    .join(', ')})`,
  severity: 'error',
  from: { path: alt(patterns), pathNot: NOT_TESTS },
  to: { path: alt(LAYERS.slice(i + 1).flatMap(([, p]) => p)) },
}));

export default {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'no file-level import cycle, type-only imports included',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'model-imports-nothing-of-ours',
      comment: 'src/model holds the shared domain types and imports nothing else of ours',
      severity: 'error',
      from: { path: '^src/model/' },
      to: { path: '^(src|test|bench|scripts)/', pathNot: '^src/model/' },
    },
    ...upward,
    {
      name: 'simulator-is-a-program',
      comment:
        'the builds-api/jobs-api simulator is its own program: only the `simulate` command (and tests) start it',
      severity: 'error',
      from: {
        path: '^src/',
        pathNot: `^src/simulator/|^src/cli/commands/simulate\\.ts$|${NOT_TESTS}`,
      },
      to: { path: '^src/simulator/' },
    },
    {
      name: 'simulator-shares-only-the-wire',
      comment: 'the simulator shares only model/, support and the toolforge wire schemas with the rest',
      severity: 'error',
      from: { path: '^src/simulator/', pathNot: NOT_TESTS },
      to: {
        path: '^src/',
        pathNot:
          '^src/(model/|support/|errors\\.ts$|version\\.ts$|simulator/|runtimes/toolforge/wire/|runtimes/git\\.ts$)',
      },
    },
    {
      name: 'src-does-not-import-tests',
      comment: 'production code does not import test helpers',
      severity: 'error',
      from: { path: '^src/', pathNot: NOT_TESTS },
      to: { path: '^test/|\\.test\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/|/fixtures/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.d.ts'],
    },
  },
};
