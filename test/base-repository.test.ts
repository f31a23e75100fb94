import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  ConflictError,
  createFoodsave,
  NotFoundError,
  ValidationError,
  withTransaction,
  type ConversationRecord,
  type Foodsave,
} from '../src/index.js';
import { makeUser, unique } from './support/fixtures.js';
import { useTestDatabase } from './support/test-database.js';

const t = useTestDatabase({ label: 'base_repo' });
const foodsave = (): Foodsave => createFoodsave(t.engine);
const MISSING = '00000000-0000-4000-8000-000000000000';

describe('BaseRepository', () => {
  it('creates, gets, updates and deletes, returning plain typed objects', async () => {
    const db = foodsave();
    const user = await makeUser(db);
    const me = db.forUser(user.id);
    const created = await me.conversations.create({ sessionId: unique('s'), title: 'Dinner' });
    expect(created).toMatchObject({ userId: user.id, title: 'Dinner', metadata: {} });
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.createdAt).toBeInstanceOf(Date);
    expect(Object.getPrototypeOf(created)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(created))).toMatchObject({ id: created.id, title: 'Dinner' });

    expect(await me.conversations.get(created.id)).toEqual(created);
    const updated = await me.conversations.update(created.id, { title: 'Lunch', metadata: { channel: 'web' } });
    expect(updated).toMatchObject({ id: created.id, title: 'Lunch', metadata: { channel: 'web' } });
    expect(updated!.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());
    expect(await me.conversations.delete(created.id)).toBe(true);
    expect(await me.conversations.get(created.id)).toBeNull();
    expectTypeOf(created).toEqualTypeOf<ConversationRecord>();
    expectTypeOf(me.conversations.get).returns.resolves.toEqualTypeOf<ConversationRecord | null>();
    expectTypeOf(db.admin.conversations.get).returns.resolves.toEqualTypeOf<ConversationRecord | null>();
    expectTypeOf(created.title).toEqualTypeOf<string | null>();
  });

  it('says so for a missing id: get → null, update → null, delete → false', async () => {
    const db = foodsave();
    expect(await db.catalog.products.get(MISSING)).toBeNull();
    expect(await db.catalog.products.update(MISSING, { name: 'x' })).toBeNull();
    expect(await db.catalog.products.delete(MISSING)).toBe(false);
  });

  it('pages with getMulti(skip, limit) in a stable order', async () => {
    const { categories } = foodsave().catalog;
    const names = Array.from({ length: 5 }, (_, i) => unique(`page${i}`));
    for (const name of names) await categories.create({ name: name.slice(0, 100) });
    const all = await categories.getMulti(0, 1000);
    const first = await categories.getMulti(0, 2);
    const second = await categories.getMulti(2, 2);
    expect([...first, ...second]).toEqual(all.slice(0, 4));
    await expect(categories.getMulti(-1, 10)).rejects.toThrow(/skip: must not be negative/);
    await expect(categories.getMulti(0, 0)).rejects.toThrow(/limit: must be at least 1/);
    // list({ offset, limit }) is the same paging under the conventional names.
    expect(await categories.list({ offset: 2, limit: 2 })).toEqual(second);
    await expect(categories.list({ offset: -1 })).rejects.toThrow(/offset: must not be negative/);
  });

  it('rejects unknown keys, so id, userId and createdAt cannot be mass-assigned', async () => {
    const db = foodsave();
    const user = await makeUser(db);
    const other = await makeUser(db);
    const me = db.forUser(user.id);
    const c = await me.conversations.create({ sessionId: unique('s') });
    for (const patch of [{ id: MISSING }, { userId: other.id }, { createdAt: new Date(0) }, { sessionId: 'x' }]) {
      for (const conversations of [me.conversations, db.admin.conversations]) {
        const error = await conversations.update(c.id, patch as never).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).issues[0]).toEqual({ path: [Object.keys(patch)[0]], message: 'is not an allowed field' });
      }
    }
    expect(await me.conversations.get(c.id)).toEqual(c);
    await expect(db.admin.users.create({ username: 'u', email: 'u@x.io', id: MISSING } as never)).rejects.toThrow(/id: is not an allowed field/);
    // In a user's scope the owner comes from the scope: input may not name one, not even the same user.
    for (const userId of [other.id, user.id]) {
      const error = await me.conversations.create({ sessionId: unique('s'), userId } as never).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues).toEqual([{ path: ['userId'], message: 'is not an allowed field' }]);
    }
    expect(await db.admin.conversations.getUserConversations(other.id)).toEqual([]);
    expect(await me.conversations.list()).toEqual([c]);
  });

  it('rejects an options object with an unknown key, naming it, and writes nothing', async () => {
    const db = foodsave();
    const user = await makeUser(db);
    const other = await makeUser(db);
    const me = db.forUser(user.id);
    const sessionId = unique('opt');
    await withTransaction(t.engine, async (transaction) => {
      const cases: [Record<string, unknown>, string][] = [
        [{ userId: undefined }, 'userId'],
        [{ userId: other.id }, 'userId'],
        [{ transacton: transaction }, 'transacton'],
      ];
      for (const [options, key] of cases) {
        for (const create of [
          () => me.conversations.create({ sessionId }, options as never),
          () => db.admin.conversations.create({ userId: user.id, sessionId }, options as never),
        ]) {
          const error = await create().catch((e: unknown) => e);
          expect(error).toBeInstanceOf(ValidationError);
          expect((error as ValidationError).fields).toEqual([key]);
          expect((error as Error).message).toContain(key);
        }
      }
      // A read with a stray option is refused too, rather than silently ignoring it.
      await expect(me.conversations.get(MISSING, { userId: undefined } as never)).rejects.toThrow(/userId: is not an option here/);
    });
    expect(await db.admin.conversations.getBySessionId(sessionId)).toBeNull();
    expect(await me.conversations.list()).toEqual([]);
    expect(await db.forUser(other.id).conversations.list()).toEqual([]);
  });

  it('throws ValidationError with the path and message of every problem, and writes nothing', async () => {
    const db = foodsave();
    const before = await db.admin.users.getMulti(0, 1000);
    const error = await db.admin.users.create({ username: '', email: 'not-an-email' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).code).toBe('VALIDATION_FAILED');
    expect((error as ValidationError).issues).toEqual([
      { path: ['username'], message: 'must not be empty' },
      { path: ['email'], message: 'must be an email address' },
    ]);
    expect(await db.admin.users.getMulti(0, 1000)).toHaveLength(before.length);
    await expect(db.catalog.products.get('not-a-uuid')).rejects.toThrow(/id: must be a UUID/);
  });

  it('maps a unique violation to ConflictError naming the field', async () => {
    const db = foodsave();
    const user = await makeUser(db);
    const dupName = await db.admin.users.create({ username: user.username, email: `${unique('e')}@x.io` }).catch((e: unknown) => e);
    expect(dupName).toBeInstanceOf(ConflictError);
    expect(dupName).toMatchObject({ field: 'username', message: 'username already taken', code: 'CONFLICT' });
    const dupEmail = await db.admin.users.create({ username: unique('n'), email: user.email.toUpperCase() }).catch((e: unknown) => e);
    expect(dupEmail).toMatchObject({ field: 'email', message: 'email already taken' });
    const me = db.forUser(user.id);
    const c = await me.conversations.create({ sessionId: unique('dup') });
    await expect(me.conversations.create({ sessionId: c.sessionId })).rejects.toMatchObject({ field: 'sessionId' });
  });

  it('maps a missing foreign-key target to NotFoundError naming the field', async () => {
    const db = foodsave();
    for (const create of [
      () => db.admin.conversations.create({ userId: MISSING, sessionId: unique('s') }),
      () => db.forUser(MISSING).conversations.create({ sessionId: unique('s') }),
    ]) {
      const error = await create().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error).toMatchObject({ field: 'userId', code: 'NOT_FOUND' });
      expect((error as Error).message).toBe('userId: no user with that id');
    }
  });

  it('maps deleting a product still in use to ConflictError', async () => {
    const db = foodsave();
    const user = await makeUser(db);
    const product = await db.catalog.products.create({ name: 'Flour' });
    await db.forUser(user.id).pantry.create({ productId: product.id, quantity: '1' });
    await expect(db.catalog.products.delete(product.id)).rejects.toBeInstanceOf(ConflictError);
  });

  it('withTransaction is all or nothing across repositories', async () => {
    const db = foodsave();
    const username = unique('tx');
    await expect(
      withTransaction(t.engine, async (transaction) => {
        const user = await db.admin.users.create({ username, email: `${username}@x.io` }, { transaction });
        await db.forUser(user.id).conversations.create({ sessionId: unique('tx') }, { transaction });
        await db.forUser(MISSING).conversations.create({ sessionId: unique('tx') }, { transaction });
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(await db.admin.users.getByUsername(username)).toBeNull();

    const committed = await withTransaction(t.engine, async (transaction) => {
      const user = await db.admin.users.create({ username, email: `${username}@x.io` }, { transaction });
      return db.forUser(user.id).conversations.create({ sessionId: unique('tx') }, { transaction });
    });
    expect(await db.forUser(committed.userId!).conversations.get(committed.id)).toEqual(committed);
    expect(await db.admin.conversations.get(committed.id)).toEqual(committed);
  });

  it('never surfaces a raw Sequelize or pg error from bad input', async () => {
    const db = foodsave();
    const user = await makeUser(db);
    const error = await db.forUser(user.id).receipts.create({ totalAmount: '123456789.00' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fields).toEqual(['totalAmount']);
    expect((error as Error).message).toContain('at most 8 digits before the decimal point');
  });
});
