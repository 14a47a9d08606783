/**
 * Deploy tokens at rest: AES-256-GCM under the server's token key, so `GET …/deployment/token` can show the
 * token again (upstream's CI recipes read it with `deploy-token show --json | jq -r .token`) while the database
 * never holds it in plain text. The tool name is the additional authenticated data: a sealed token copied to
 * another tool's row does not open.
 *
 * A sealed value names the key it was sealed with (`v1.<key id>.<iv>.<tag>.<ciphertext>`, base64url), so a
 * server given its current key plus the previous ones (a rotation in progress) opens both and re-seals old ones
 * under the current key (`rekeyTokens`). The key id is a hash of the key, never the key itself.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { UserError } from '../errors.js';
import type { Store } from '../store/store.js';

export const TOKEN_KEY_BYTES = 32;
const IV_BYTES = 12;
const FORMAT = 'v1';

/** A key that is not 32 bytes of base64 or hex: the server refuses to start rather than guess. */
export class TokenKeyError extends UserError {
  constructor(message: string) {
    super('CMP_ERR_TOKEN_KEY', message, { exitCode: 2 });
    this.name = 'TokenKeyError';
  }
}

/** A 32-byte key from its text form: base64 (what `openssl rand -base64 32` prints) or 64 hex digits. */
export function parseTokenKey(text: string, where: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : /^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)
      ? Buffer.from(trimmed, 'base64')
      : Buffer.alloc(0);
  if (key.length !== TOKEN_KEY_BYTES) {
    throw new TokenKeyError(
      `${where}: a token key is ${TOKEN_KEY_BYTES} random bytes written as base64 or hex (e.g. \`openssl rand -base64 32\`)`,
    );
  }
  return key;
}

export function tokenKeyId(key: Buffer): string {
  return createHash('sha256')
    .update('toolforge-components token key\0')
    .update(key)
    .digest('hex')
    .slice(0, 12);
}

export type OpenResult =
  | { readonly ok: true; readonly token: string; readonly keyId: string }
  | { readonly ok: false; readonly reason: 'unknown-key' | 'corrupt'; readonly keyId?: string };

export class TokenKeyring {
  readonly #current: Buffer;
  readonly #byId = new Map<string, Buffer>();
  readonly currentKeyId: string;

  /** `current` seals; `current` and `previous` open. */
  constructor(current: Buffer, previous: readonly Buffer[] = []) {
    if (current.length !== TOKEN_KEY_BYTES) throw new TokenKeyError('the token key must be 32 bytes');
    this.#current = current;
    this.currentKeyId = tokenKeyId(current);
    for (const key of [current, ...previous]) this.#byId.set(tokenKeyId(key), key);
  }

  /** A keyring with a random key held only in memory (tests, throwaway servers): restarts forget tokens. */
  static ephemeral(): TokenKeyring {
    return new TokenKeyring(randomBytes(TOKEN_KEY_BYTES));
  }

  seal(tool: string, token: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#current, iv);
    cipher.setAAD(Buffer.from(tool, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), ciphertext].map((b) => b.toString('base64url'));
    return [FORMAT, this.currentKeyId, ...parts].join('.');
  }

  /** Which key sealed it (undefined for something that is not a sealed token). */
  keyIdOf(sealed: string): string | undefined {
    const parts = sealed.split('.');
    return parts.length === 5 && parts[0] === FORMAT ? parts[1] : undefined;
  }

  open(tool: string, sealed: string): OpenResult {
    const parts = sealed.split('.');
    if (parts.length !== 5 || parts[0] !== FORMAT) return { ok: false, reason: 'corrupt' };
    const [, keyId, iv, tag, ciphertext] = parts as [string, string, string, string, string];
    const key = this.#byId.get(keyId);
    if (!key) return { ok: false, reason: 'unknown-key', keyId };
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(tool, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      const token = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]);
      return { ok: true, token: token.toString('utf8'), keyId };
    } catch {
      // Authentication failed: altered, or sealed for another tool.
      return { ok: false, reason: 'corrupt', keyId };
    }
  }
}

export interface RekeyReport {
  /** Tokens now sealed under the current key that were not before. */
  readonly rekeyed: readonly string[];
  /** Tools whose token this keyring cannot open (sealed with a key it was not given, or damaged). */
  readonly unreadable: readonly string[];
  /** Tools whose token predates encryption: only its hash is known, it can never be shown. */
  readonly hashOnly: readonly string[];
}

/**
 * Re-seals every stored token under the keyring's current key (key rotation). Safe to run on several replicas
 * at once and next to token writes: each row is replaced only if it still holds what was read.
 */
export async function rekeyTokens(store: Store, keyring: TokenKeyring): Promise<RekeyReport> {
  const rekeyed: string[] = [];
  const unreadable: string[] = [];
  const hashOnly: string[] = [];
  for (const stored of await store.listTokens()) {
    if (stored.secret === undefined) {
      hashOnly.push(stored.tool);
      continue;
    }
    if (keyring.keyIdOf(stored.secret) === keyring.currentKeyId) continue;
    const opened = keyring.open(stored.tool, stored.secret);
    if (!opened.ok) {
      unreadable.push(stored.tool);
      continue;
    }
    const replaced = await store.replaceTokenSecret(
      stored.tool,
      stored.secret,
      keyring.seal(stored.tool, opened.token),
    );
    if (replaced) rekeyed.push(stored.tool);
  }
  return { rekeyed, unreadable, hashOnly };
}
