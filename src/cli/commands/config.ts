/**
 * Local config commands (no server involved): `config validate FILE` checks a config in either dialect and
 * prints every problem as `file:line:col: path: message`; `config schema` prints the JSON Schema editors use.
 * They join the `config` group whose remote verbs (create/show/generate/delete) live in config-remote.ts.
 */
import type { Command } from 'commander';
import { CONFIG_DIALECTS, type ConfigDialect } from '../../model/tool-config.js';
import { UserError } from '../../errors.js';
import { configGroup } from './config-remote.js';

interface ValidateOptions {
  readonly json?: boolean;
}

async function validate(file: string, options: ValidateOptions): Promise<void> {
  const { formatDiagnostic, loadConfigFile } = await import('../../config/load.js'); // not for `--help`
  const result = await loadConfigFile(file, { resolvePaths: false });
  if (options.json) {
    const summary = result.config
      ? { dialect: result.config.dialect, components: result.config.components.length }
      : undefined;
    console.log(
      JSON.stringify(
        { valid: result.config !== undefined, ...summary, diagnostics: result.diagnostics },
        null,
        4,
      ),
    );
  } else {
    for (const d of result.diagnostics) console.error(formatDiagnostic(d, result.fileName));
    if (result.config) console.log(`OK: ${result.config.components.length} components`);
  }
  if (!result.config) process.exitCode = 1;
}

async function schema(options: { readonly dialect: string }): Promise<void> {
  const dialect = options.dialect as ConfigDialect;
  if (!(CONFIG_DIALECTS as readonly string[]).includes(dialect)) {
    throw new UserError(
      'CMP_ERR_USAGE',
      `unknown dialect "${options.dialect}": use ${CONFIG_DIALECTS.join(', ')}`,
      {
        exitCode: 2,
      },
    );
  }
  const { configJsonSchema } = await import('../../config/load.js');
  console.log(JSON.stringify(configJsonSchema(dialect), null, 2));
}

export function register(program: Command): void {
  const group = configGroup(program);
  group
    .command('validate')
    .description('Check a config file (either dialect) and print every problem with its line and column')
    .argument('<file>', 'config file (YAML or JSON)')
    .option('--json', 'print the result and the diagnostics as JSON')
    .action((file: string, options: ValidateOptions) => validate(file, options));
  group
    .command('schema')
    .description('Print the JSON Schema of the config, for editors (e.g. yaml-language-server)')
    .option(
      '--dialect <dialect>',
      'seed (config-version 0.1), v1beta2 (upstream) or v1beta1 (deprecated)',
      'seed',
    )
    .action((options: { dialect: string }) => schema(options));
}
