import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  ConflictError,
  createRepositories,
  NotFoundError,
  ValidationError,
  withTransaction,
  type ConversationRecord,
  type Repositories,
} from '../src/index.js';
import { makeUser, unique } from './support/fixtures.js';
import { useTestDatabase } from './support/test-database.js';

const t = useTestDatabase({ label: 'base_repo' });
const repos = (): Repositories => createRepositories(t.engine);
const MISSING = '00000000-0000-4000-8000-000000000000';

describe('BaseRepository', () => {
  it('creates, gets, updates and deletes, returning plain typed objects', async () => {
    const r = repos();
    const user = await makeUser(r);
    const created = await r.conversations.create({ userId: user.id, sessionId: unique('s'), title: 'Dinner' });
    expect(created).toMatchObject({ userId: user.id, title: 'Dinner', metadata: {} });
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.createdAt).toBeInstanceOf(Date);
    expect(Object.getPrototypeOf(created)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(created))).toMatchObject({ id: created.id, title: 'Dinner' });

    expect(await r.conversations.get(created.id)).toEqual(created);
    const updated = await r.conversations.update(created.id, { title: 'Lunch', metadata: { channel: 'web' } });
    expect(updated).toMatchObject({ id: created.id, title: 'Lunch', metadata: { channel: 'web' } });
    expect(updated!.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());
    expect(await r.conversations.delete(created.id)).toBe(true);
    expect(await r.conversations.get(created.id)).toBeNull();
    expectTypeOf(created).toEqualTypeOf<ConversationRecord>();
    expectTypeOf(r.conversations.get).returns.resolves.toEqualTypeOf<ConversationRecord | null>();
    expectTypeOf(created.title).toEqualTypeOf<string | null>();
  });

  it('says so for a missing id: get → null, update → null, delete → false', async () => {
    const r = repos();
    expect(await r.products.get(MISSING)).toBeNull();
    expect(await r.products.update(MISSING, { name: 'x' })).toBeNull();
    expect(await r.products.delete(MISSING)).toBe(false);
  });

  it('pages with getMulti(skip, limit) in a stable order', async () => {
    const r = repos();
    const names = Array.from({ length: 5 }, (_, i) => unique(`page${i}`));
    for (const name of names) await r.categories.create({ name: name.slice(0, 100) });
    const all = await r.categories.getMulti(0, 1000);
    const first = await r.categories.getMulti(0, 2);
    const second = await r.categories.getMulti(2, 2);
    expect([...first, ...second]).toEqual(all.slice(0, 4));
    await expect(r.categories.getMulti(-1, 10)).rejects.toThrow(/skip: must not be negative/);
    await expect(r.categories.getMulti(0, 0)).rejects.toThrow(/limit: must be at least 1/);
  });

  it('rejects unknown keys, so id, userId and createdAt cannot be mass-assigned', async () => {
    const r = repos();
    const user = await makeUser(r);
    const other = await makeUser(r);
    const c = await r.conversations.create({ userId: user.id, sessionId: unique('s') });
    for (const patch of [{ id: MISSING }, { userId: other.id }, { createdAt: new Date(0) }, { sessionId: 'x' }]) {
      const error = await r.conversations.update(c.id, patch as never).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues[0]).toEqual({ path: [Object.keys(patch)[0]], message: 'is not an allowed field' });
    }
    expect(await r.conversations.get(c.id)).toEqual(c);
    await expect(r.users.create({ username: 'u', email: 'u@x.io', id: MISSING } as never)).rejects.toThrow(/id: is not an allowed field/);
  });

  it('throws ValidationError with the path and message of every problem, and writes nothing', async () => {
    const r = repos();
    const before = await r.users.getMulti(0, 1000);
    const error = await r.users.create({ username: '', email: 'not-an-email' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).code).toBe('VALIDATION_FAILED');
    expect((error as ValidationError).issues).toEqual([
      { path: ['username'], message: 'must not be empty' },
      { path: ['email'], message: 'must be an email address' },
    ]);
    expect(await r.users.getMulti(0, 1000)).toHaveLength(before.length);
    await expect(r.products.get('not-a-uuid')).rejects.toThrow(/id: must be a UUID/);
  });

  it('maps a unique violation to ConflictError naming the field', async () => {
    const r = repos();
    const user = await makeUser(r);
    const dupName = await r.users.create({ username: user.username, email: `${unique('e')}@x.io` }).catch((e: unknown) => e);
    expect(dupName).toBeInstanceOf(ConflictError);
    expect(dupName).toMatchObject({ field: 'username', message: 'username already taken', code: 'CONFLICT' });
    const dupEmail = await r.users.create({ username: unique('n'), email: user.email.toUpperCase() }).catch((e: unknown) => e);
    expect(dupEmail).toMatchObject({ field: 'email', message: 'email already taken' });
    const c = await r.conversations.create({ userId: user.id, sessionId: unique('dup') });
    await expect(r.conversations.create({ userId: user.id, sessionId: c.sessionId })).rejects.toMatchObject({ field: 'sessionId' });
  });

  it('maps a missing foreign-key target to NotFoundError naming the field', async () => {
    const r = repos();
    const error = await r.conversations.create({ userId: MISSING, sessionId: unique('s') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ field: 'userId', code: 'NOT_FOUND' });
    expect((error as Error).message).toBe('userId: no user with that id');
  });

  it('maps deleting a product still in use to ConflictError', async () => {
    const r = repos();
    const user = await makeUser(r);
    const product = await r.products.create({ name: 'Flour' });
    await r.pantryItems.create({ userId: user.id, productId: product.id, quantity: '1' });
    await expect(r.products.delete(product.id)).rejects.toBeInstanceOf(ConflictError);
  });

  it('withTransaction is all or nothing across repositories', async () => {
    const r = repos();
    const username = unique('tx');
    await expect(
      withTransaction(t.engine, async (transaction) => {
        const user = await r.users.create({ username, email: `${username}@x.io` }, { transaction });
        await r.conversations.create({ userId: user.id, sessionId: unique('tx') }, { transaction });
        await r.conversations.create({ userId: MISSING, sessionId: unique('tx') }, { transaction });
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(await r.users.getByUsername(username)).toBeNull();

    const committed = await withTransaction(t.engine, async (transaction) => {
      const user = await r.users.create({ username, email: `${username}@x.io` }, { transaction });
      return r.conversations.create({ userId: user.id, sessionId: unique('tx') }, { transaction });
    });
    expect(await r.conversations.get(committed.id)).toEqual(committed);
  });

  it('never surfaces a raw Sequelize or pg error from bad input', async () => {
    const r = repos();
    const user = await makeUser(r);
    const error = await r.receipts.create({ userId: user.id, totalAmount: '123456789.00' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fields).toEqual(['totalAmount']);
    expect((error as Error).message).toContain('at most 8 digits before the decimal point');
  });
});
