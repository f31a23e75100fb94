/**
 * PostgreSQL applies no policy to a superuser or a BYPASSRLS role, so on such a connection the hot path
 * sends no row-scope setting: one statement instead of two. Checked on the wire (the Bind messages a call
 * sends on a real connection), for the role `current_user` names, which is what PostgreSQL asks.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createEngine, createFoodsave, type Engine } from '../src/index.js';
import { SET_SCOPE } from '../src/engine/scoped-query.js';
import { poolOf, giveBack, type PgConnection } from '../src/engine/pool-access.js';
import { makeUser } from './support/fixtures.js';
import { adminQuery, asRole, testEnv, useTestDatabase, withRawClient } from './support/test-database.js';

const t = useTestDatabase({ label: 'scope_bypass' });
const roles = inject('testRoles');
if (!roles) console.log('[row-scope-bypass] skipped: the test server gave no least-privilege roles (see the run header for why)');
const engines: Engine[] = [];
const bypassRole = { user: `fsdb_bypass_${process.pid}`, password: randomBytes(12).toString('hex') };

afterAll(async () => {
  await Promise.all(engines.map((e) => e.close()));
  if (roles) await adminQuery(`DROP ROLE IF EXISTS ${bypassRole.user}`).catch(() => undefined);
});

/** An engine of one connection, and the texts of the statements each of its Bind messages runs. */
async function watched(url: string): Promise<{ engine: Engine; bound: string[]; connection: PgConnection }> {
  const engine = createEngine({ env: testEnv, url, poolSize: 1, maxOverflow: 0 });
  engines.push(engine);
  const pool = poolOf(engine.sequelize);
  const connection = await pool.acquire();
  const bound: string[] = [];
  const wire = (connection as unknown as { connection: { parse(m: { text: string; name?: string }): void; bind(m: { statement?: string; values: unknown[] }): void } }).connection;
  const texts = new Map<string, string>();
  let lastParsed = '';
  const parse = wire.parse.bind(wire);
  const bind = wire.bind.bind(wire);
  wire.parse = (m) => {
    lastParsed = m.text;
    if (m.name) texts.set(m.name, m.text);
    parse(m);
  };
  wire.bind = (m) => {
    bound.push(m.statement ? texts.get(m.statement)! : lastParsed);
    bind(m);
  };
  giveBack(pool, connection);
  return { engine, bound, connection };
}

async function boundForGet(url: string, userId: string): Promise<{ bound: string[]; bypasses: boolean | undefined }> {
  const { engine, bound, connection } = await watched(url);
  const me = createFoodsave(engine).forUser(userId);
  // The third call runs named statements: the scope must be left out of those too.
  for (let i = 0; i < 3; i++) expect((await me.account.get())?.id).toBe(userId);
  return { bound, bypasses: connection.bypassesRowSecurity };
}

describe.skipIf(!roles)('the row scope on roles that policies do not apply to', () => {
  it('a superuser connection sends each call as its one statement', async () => {
    const user = await makeUser(createFoodsave(t.engine));
    const { bound, bypasses } = await boundForGet(t.url, user.id);
    expect(bypasses).toBe(true);
    expect(bound).toHaveLength(3);
    expect(bound.some((text) => text === SET_SCOPE)).toBe(false);
  });

  it('a superuser connection still runs a write with its prelude (a receipt and its lines) as one batch, for its user only', async () => {
    const user = await makeUser(createFoodsave(t.engine));
    const other = await makeUser(createFoodsave(t.engine));
    const { engine, bound } = await watched(t.url);
    const me = createFoodsave(engine).forUser(user.id);
    const receipt = await me.receipts.createWithItems({ totalAmount: '3.00', purchaseDate: '2026-11-20' }, [
      { productName: 'Oats', quantity: '1', totalPrice: '1.00' },
      { productName: 'Milk', quantity: '2', totalPrice: '2.00' },
    ]);
    expect(receipt.items).toHaveLength(2);
    expect(bound.some((text) => text === SET_SCOPE)).toBe(false);
    expect((await me.receipts.getReceiptWithItems(receipt.id))?.items).toHaveLength(2);
    expect(await createFoodsave(engine).forUser(other.id).receipts.getReceiptWithItems(receipt.id)).toBeNull();
  });

  it('a BYPASSRLS role does the same', async () => {
    await adminQuery(`CREATE ROLE ${bypassRole.user} LOGIN NOSUPERUSER BYPASSRLS PASSWORD '${bypassRole.password}'`);
    await withRawClient(t.url, (c) => c.query(`GRANT ${roles!.app.user} TO ${bypassRole.user}`));
    const user = await makeUser(createFoodsave(t.engine));
    const { bound, bypasses } = await boundForGet(asRole(t.url, bypassRole), user.id);
    expect(bypasses).toBe(true);
    expect(bound.filter((text) => text === SET_SCOPE)).toHaveLength(0);
  });

  it('the application role, held to the policies, sends the scope with every call', async () => {
    const user = await makeUser(createFoodsave(t.engine));
    const { bound, bypasses } = await boundForGet(t.appUrl, user.id);
    expect(bypasses).toBe(false);
    expect(bound.filter((text) => text === SET_SCOPE)).toHaveLength(3);
  });

  it('a role that may not read pg_roles still connects, and gets the scope with every call', async () => {
    await withRawClient(t.url, (c) => c.query('REVOKE SELECT ON pg_catalog.pg_roles FROM PUBLIC'));
    try {
      const user = await makeUser(createFoodsave(t.engine));
      const { bound, bypasses } = await boundForGet(t.appUrl, user.id);
      expect(bypasses).toBe(false);
      expect(bound.filter((text) => text === SET_SCOPE)).toHaveLength(3);
    } finally {
      await withRawClient(t.url, (c) => c.query('GRANT SELECT ON pg_catalog.pg_roles TO PUBLIC'));
    }
  });

  it('a superuser login whose startup sets the application role counts as that role, and still sees only its rows', async () => {
    const url = new URL(t.url);
    url.searchParams.set('options', `-c role=${roles!.app.user}`);
    const user = await makeUser(createFoodsave(t.engine));
    const { bound, bypasses } = await boundForGet(url.toString(), user.id);
    expect(bypasses).toBe(false);
    expect(bound.filter((text) => text === SET_SCOPE)).toHaveLength(3);
  });
});
