/**
 * Deploy tokens are shown by GET (upstream's CI reads them back) yet never stored in plain text: sealed with
 * AES-256-GCM under the server's key, bound to their tool, re-sealed on key rotation. Tokens stored before
 * (hash only, migration 0003) keep working and say clearly why they cannot be shown.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Migrator } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../src/api/app.js';
import { hashToken } from '../../../src/api/auth.js';
import { BETA_WARNING } from '../../../src/api/envelope.js';
import { rekeyTokens, TokenKeyError, TokenKeyring, tokenKeyId } from '../../../src/api/token-keyring.js';
import { loadTokenKeyring } from '../../../src/instance/token-key.js';
import { startInstance } from '../../../src/instance/start-instance.js';
import { FakeRuntime } from '../../../src/runtimes/fake/fake-runtime.js';
import { openDatabase } from '../../../src/store/dialects.js';
import { createStore } from '../../../src/store/create-store.js';
import { migrationProvider } from '../../../src/store/migrations.js';
import type { KyselyStore } from '../../../src/store/kysely-store.js';
import { STORES, createTestDatabase, openTestStore, type TestDatabase } from '../../support/stores.js';
import { body, header, postConfig } from '../../support/api-harness.js';

const key = (): Buffer => randomBytes(32);

interface TokenData {
  token?: string;
  token_exists?: boolean;
  creation_date: string;
}

async function appWith(store: KyselyStore, tokenKeys: TokenKeyring): Promise<FastifyInstance> {
  return buildApp({ store, runtime: new FakeRuntime(), tokenKeys });
}

async function getToken(app: FastifyInstance, tool: string) {
  const r = await app.inject({
    method: 'GET',
    url: `/v1/tool/${tool}/deployment/token`,
    headers: header(tool),
  });
  assert.equal(r.statusCode, 200, r.body);
  return { data: body(r).data as TokenData, warning: body(r).messages.warning ?? [] };
}

async function createToken(app: FastifyInstance, tool: string): Promise<string> {
  const r = await app.inject({
    method: 'POST',
    url: `/v1/tool/${tool}/deployment/token`,
    headers: header(tool),
  });
  assert.equal(r.statusCode, 200, r.body);
  return (body(r).data as { token: string }).token;
}

/** The token authenticates a deployment request (compared with the stored hash). */
async function deploysWith(app: FastifyInstance, tool: string, token: string): Promise<number> {
  const r = await app.inject({ method: 'GET', url: `/v1/tool/${tool}/deployment/latest?token=${token}` });
  // `latest` takes the header only; the by-id route takes a token: an unknown id is 404 once authenticated.
  const byId = await app.inject({ method: 'GET', url: `/v1/tool/${tool}/deployment/nope?token=${token}` });
  assert.equal(r.statusCode, 401);
  return byId.statusCode;
}

for (const kind of STORES) {
  describe(`deploy tokens at rest: ${kind}`, () => {
    let store: KyselyStore;
    let dispose: () => Promise<void>;
    const apps: FastifyInstance[] = [];
    before(async () => {
      ({ store, dispose } = await openTestStore(kind));
    });
    after(async () => {
      for (const app of apps) await app.close();
      await dispose();
    });
    const open = async (keys: TokenKeyring): Promise<FastifyInstance> => {
      const app = await appWith(store, keys);
      apps.push(app);
      return app;
    };

    test('GET shows the token; the row holds its hash and an AES-GCM seal naming the key, never the token', async () => {
      const keys = new TokenKeyring(key());
      const app = await open(keys);
      const token = await createToken(app, 'shown');
      const got = await getToken(app, 'shown');
      assert.equal(got.data.token, token);
      assert.deepEqual(got.warning, [BETA_WARNING]);
      const [row] = (await store.listTokens()).filter((t) => t.tool === 'shown');
      assert.ok(row?.secret);
      assert.ok(!JSON.stringify(row).includes(token));
      assert.equal(row.hash, hashToken(token));
      assert.match(row.secret, new RegExp(`^v1\\.${keys.currentKeyId}\\.[\\w-]+\\.[\\w-]+\\.[\\w-]+$`));
      assert.equal(await deploysWith(app, 'shown', token), 404, 'authenticates, then the id is unknown');
      assert.equal(await deploysWith(app, 'shown', `${token}x`), 401);
    });

    test('a server without the key still authenticates the token but says why it cannot show it', async () => {
      const first = await open(new TokenKeyring(key()));
      const token = await createToken(first, 'other-key');
      const stranger = new TokenKeyring(key());
      const second = await open(stranger);
      const got = await getToken(second, 'other-key');
      assert.equal(got.data.token, undefined);
      assert.equal(got.data.token_exists, true);
      assert.match(
        got.warning[1] ?? '',
        /^The deploy token of other-key was encrypted with a token key this server does not have \(key id [0-9a-f]{12}\), so it cannot be shown \(it still works\); give the server that key \(serve --previous-token-key-file\) or run 'toolforge components deploy-token refresh'/,
      );
      assert.equal(await deploysWith(second, 'other-key', token), 404);
    });

    test('a seal copied to another tool does not open there (the tool is authenticated data)', async () => {
      const keys = new TokenKeyring(key());
      const app = await open(keys);
      await createToken(app, 'seal-src');
      const source = await store.getToken('seal-src');
      await store.putToken({
        tool: 'seal-dst',
        hash: 'h',
        createdAt: source!.createdAt,
        secret: source!.secret!,
      });
      const got = await getToken(app, 'seal-dst');
      assert.equal(got.data.token, undefined);
      assert.match(
        got.warning[1] ?? '',
        /^The stored deploy token of seal-dst cannot be decrypted \(damaged\)/,
      );
    });

    test('key rotation: the old key opens, rekeyTokens re-seals under the new one, then the old key can go', async () => {
      const oldKey = key();
      const newKey = key();
      const before = await open(new TokenKeyring(oldKey));
      const token = await createToken(before, 'rotate');
      const rotating = new TokenKeyring(newKey, [oldKey]);
      assert.equal(
        (await getToken(await open(rotating), 'rotate')).data.token,
        token,
        'both keys open meanwhile',
      );

      const report = await rekeyTokens(store, rotating);
      assert.ok(report.rekeyed.includes('rotate'));
      assert.equal(report.unreadable.includes('rotate'), false);
      const row = await store.getToken('rotate');
      assert.equal(new TokenKeyring(newKey).keyIdOf(row!.secret!), tokenKeyId(newKey));
      assert.equal((await rekeyTokens(store, rotating)).rekeyed.includes('rotate'), false, 'idempotent');

      const after = await open(new TokenKeyring(newKey));
      assert.equal((await getToken(after, 'rotate')).data.token, token, 'the token itself did not change');
      assert.equal(await deploysWith(after, 'rotate', token), 404);
    });
  });

  describe(`deploy tokens stored before encryption (migration 0003): ${kind}`, () => {
    let database: TestDatabase;
    let store: KyselyStore;
    let app: FastifyInstance;
    const legacyToken = '6f0d3c52-1b7e-4c3a-9e0f-2d8a4b6c1e90';
    before(async () => {
      database = await createTestDatabase(kind);
      // A database as the previous release left it: schema up to 0002 and a hash-only token.
      const { db, schema } = await openDatabase(database.url);
      const migrator = new Migrator({
        db,
        provider: migrationProvider,
        ...(schema ? { migrationTableSchema: schema } : {}),
      });
      const { error } = await migrator.migrateTo('0002-ordered-reads');
      assert.equal(error, undefined);
      await db
        .insertInto('tokens')
        .values({
          tool: 'legacy',
          hash: hashToken(legacyToken),
          created_at: '2026-11-20T10:00:00.000Z',
        } as never)
        .execute();
      await db.destroy();
      store = await createStore(database.url);
      app = await appWith(store, new TokenKeyring(key()));
    });
    after(async () => {
      await app.close();
      await store.close();
      await database.dispose();
    });

    test('the old row becomes a hash-only token: it still authenticates, GET says to refresh it', async () => {
      assert.deepEqual(await store.getToken('legacy'), {
        tool: 'legacy',
        hash: hashToken(legacyToken),
        createdAt: '2026-11-20T10:00:00.000Z',
      });
      const got = await getToken(app, 'legacy');
      assert.deepEqual(got.data, {
        token_exists: true,
        creation_date: '2026-11-20T10:00:00.000Z',
        expiration_date: '2027-11-20T10:00:00.000Z',
      });
      assert.deepEqual(got.warning, [
        BETA_WARNING,
        "The deploy token of legacy was created before tokens were kept encrypted, so it cannot be shown (it still works); run 'toolforge components deploy-token refresh' (PUT /v1/tool/legacy/deployment/token) to replace it with one that can be shown.",
      ]);
      assert.equal(await deploysWith(app, 'legacy', legacyToken), 404);
      assert.deepEqual((await rekeyTokens(store, new TokenKeyring(key()))).hashOnly, ['legacy']);
    });

    test('refresh replaces it with a token that can be shown', async () => {
      await postConfig(app, 'legacy');
      const r = await app.inject({
        method: 'PUT',
        url: '/v1/tool/legacy/deployment/token',
        headers: header('legacy'),
      });
      const fresh = (body(r).data as { token: string }).token;
      assert.equal((await getToken(app, 'legacy')).data.token, fresh);
    });
  });
}

describe('key rotation when a server starts', () => {
  test('tokens under a previous key are re-encrypted under the current one; others are named in a warning', async () => {
    const database = await createTestDatabase('sqlite');
    const dataDir = mkdtempSync(join(tmpdir(), 'rotate-start-'));
    const [oldKey, newKey, lostKey] = [key(), key(), key()];
    try {
      const store = await createStore(database.url);
      const put = (tool: string, keys: TokenKeyring) =>
        store.putToken({
          tool,
          hash: hashToken(tool),
          createdAt: '2026-11-20T10:00:00.000Z',
          secret: keys.seal(tool, `${tool}-token`),
        });
      await put('rot-old', new TokenKeyring(oldKey));
      await put('rot-new', new TokenKeyring(newKey));
      await put('rot-lost', new TokenKeyring(lostKey));
      await store.close();

      const warnings: string[] = [];
      const instance = await startInstance({
        runtime: new FakeRuntime(),
        dataDir,
        databaseUrl: database.url,
        port: 0,
        tokenKeys: new TokenKeyring(newKey, [oldKey]),
        warn: (message) => warnings.push(message),
      });
      await instance.close();
      assert.deepEqual(warnings, [
        're-encrypted 1 deploy token(s) under the current token key',
        '1 deploy token(s) are encrypted with a key this server was not given (tools: rot-lost): pass it with --previous-token-key-file, or refresh them',
      ]);

      const after = await createStore(database.url);
      try {
        const onlyNew = new TokenKeyring(newKey);
        for (const tool of ['rot-old', 'rot-new']) {
          const opened = onlyNew.open(tool, (await after.getToken(tool))!.secret!);
          assert.deepEqual(opened, { ok: true, token: `${tool}-token`, keyId: onlyNew.currentKeyId }, tool);
        }
      } finally {
        await after.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
      await database.dispose();
    }
  });
});

describe('the token key', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'token-key-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('without one, a key file is created in the data dir (0600) and reused by the next start', () => {
    const first = loadTokenKeyring({ dataDir: dir });
    const file = join(dir, 'token.key');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64').length, 32);
    const second = loadTokenKeyring({ dataDir: dir });
    assert.equal(second.currentKeyId, first.currentKeyId);
    const sealed = first.seal('t1', 'secret');
    assert.deepEqual(second.open('t1', sealed), { ok: true, token: 'secret', keyId: first.currentKeyId });
  });

  test('a key given as text (base64 or hex) wins over the files; previous key files only open', () => {
    const text = randomBytes(32);
    const previous = join(dir, 'old.key');
    const old = randomBytes(32);
    writeFileSync(previous, old.toString('hex'));
    const ring = loadTokenKeyring({
      dataDir: dir,
      key: text.toString('base64'),
      previousKeyFiles: [previous],
    });
    assert.equal(ring.currentKeyId, tokenKeyId(text));
    assert.equal(
      loadTokenKeyring({ dataDir: dir, key: text.toString('hex') }).currentKeyId,
      tokenKeyId(text),
    );
    const oldSeal = new TokenKeyring(old).seal('t1', 'x');
    assert.equal(ring.open('t1', oldSeal).ok, true);
    assert.equal(ring.keyIdOf(ring.seal('t1', 'x')), tokenKeyId(text), 'seals with the current key only');
  });

  test('a key that is not 32 bytes, or a missing key file, stops the start with a readable error', () => {
    assert.throws(() => loadTokenKeyring({ dataDir: dir, key: 'short' }), TokenKeyError);
    assert.throws(
      () => loadTokenKeyring({ dataDir: dir, key: randomBytes(16).toString('base64') }),
      /a token key is 32 random bytes written as base64 or hex/,
    );
    assert.throws(
      () => loadTokenKeyring({ dataDir: dir, keyFile: join(dir, 'missing.key') }),
      /cannot read the token key file/,
    );
  });
});
