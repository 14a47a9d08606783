/**
 * Where the server's deploy-token key comes from, in order: the secret itself (`TOOLFORGE_COMPONENTS_TOKEN_KEY`,
 * e.g. from a Kubernetes secret), a file named by `serve --token-key-file`, else `<data dir>/token.key`, created
 * (mode 0600, 32 random bytes in base64) the first time. Replicas on one PostgreSQL must be given the same key;
 * previous keys (`--previous-token-key-file`) only open tokens, which the server then re-seals (rotation, see
 * docs/deploy-tokens.md).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTokenKey, TOKEN_KEY_BYTES, TokenKeyError, TokenKeyring } from '../api/token-keyring.js';

export const TOKEN_KEY_ENV = 'TOOLFORGE_COMPONENTS_TOKEN_KEY';

export interface TokenKeySource {
  readonly dataDir: string;
  /** The key as text (base64 or hex), e.g. from the environment. Wins over every file. */
  readonly key?: string;
  readonly keyFile?: string;
  readonly previousKeyFiles?: readonly string[];
}

export function defaultTokenKeyFile(dataDir: string): string {
  return join(dataDir, 'token.key');
}

function readKeyFile(file: string): Buffer {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new TokenKeyError(`cannot read the token key file ${file}: ${(error as Error).message}`);
  }
  return parseTokenKey(text, file);
}

/** The data-dir key, created on first use; `wx` so two processes starting at once agree on one key. */
function dataDirKey(dataDir: string): Buffer {
  const file = defaultTokenKeyFile(dataDir);
  // A first `serve` on a fresh machine: the data dir does not exist yet.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    writeFileSync(file, `${randomBytes(TOKEN_KEY_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return readKeyFile(file);
}

export function loadTokenKeyring(source: TokenKeySource): TokenKeyring {
  const current =
    source.key !== undefined && source.key.trim() !== ''
      ? parseTokenKey(source.key, TOKEN_KEY_ENV)
      : source.keyFile !== undefined
        ? readKeyFile(source.keyFile)
        : dataDirKey(source.dataDir);
  return new TokenKeyring(current, (source.previousKeyFiles ?? []).map(readKeyFile));
}
