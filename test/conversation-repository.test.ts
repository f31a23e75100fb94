import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createFoodsave, NotFoundError, ValidationError, withTransaction } from '../src/index.js';
import { makeUser, unique } from './support/fixtures.js';
import { rawQuery, useTestDatabase } from './support/test-database.js';

const t = useTestDatabase({ label: 'conversations' });
const MISSING = '00000000-0000-4000-8000-000000000000';

/**
 * The design document's TestConversationRepository, ported, on the back-office repositories (the
 * document's repository is unscoped). One change: the document passes a random `user_id`, which its
 * own foreign key to `users` rejects on a real PostgreSQL, so a user is created first.
 */
describe('TestConversationRepository (from the design document)', () => {
  it('test_create_conversation', async () => {
    const { admin } = createFoodsave(t.engine);
    const repo = admin.conversations;
    const user = await admin.users.create({ username: 'doc_user_1', email: 'doc1@example.com' });
    const conversationData = { userId: user.id, sessionId: 'test_session_123', title: 'Test Conversation' };
    const conversation = await repo.create(conversationData);
    expect(conversation.id).not.toBeNull();
    expect(conversation.sessionId).toBe('test_session_123');
    expect(conversation.title).toBe('Test Conversation');
  });

  it('test_get_by_session_id', async () => {
    const { admin } = createFoodsave(t.engine);
    const repo = admin.conversations;
    const user = await admin.users.create({ username: 'doc_user_2', email: 'doc2@example.com' });
    const created = await repo.create({ userId: user.id, sessionId: 'test_session_456', title: 'Test Conversation' });
    const retrieved = await repo.getBySessionId('test_session_456');
    expect(retrieved).not.toBeNull();
    expect(retrieved!.id).toBe(created.id);
    expect(retrieved!.sessionId).toBe('test_session_456');
  });
});

describe('ConversationRepository', () => {
  it('getBySessionId returns null for an unknown session', async () => {
    const db = createFoodsave(t.engine);
    expect(await db.admin.conversations.getBySessionId('nope')).toBeNull();
    expect(await db.forUser((await makeUser(db)).id).conversations.getBySessionId('nope')).toBeNull();
  });

  it('getUserConversations: newest updated_at first, with offset and limit; a message moves a conversation up', async () => {
    const db = createFoodsave(t.engine);
    const user = await makeUser(db);
    const me = db.forUser(user.id);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      ids.push((await me.conversations.create({ sessionId: unique('c') })).id);
      await sleep(5);
    }
    expect((await db.admin.conversations.getUserConversations(user.id)).map((c) => c.id)).toEqual([...ids].reverse());
    expect((await me.conversations.list()).map((c) => c.id)).toEqual([...ids].reverse());
    await me.conversations.addMessage(ids[0]!, { content: 'bump', role: 'user' });
    const order = (await db.admin.conversations.getUserConversations(user.id)).map((c) => c.id);
    expect(order).toEqual([ids[0], ids[3], ids[2], ids[1]]);
    expect((await me.conversations.list()).map((c) => c.id)).toEqual(order);
    expect((await db.admin.conversations.getUserConversations(user.id, { offset: 1, limit: 2 })).map((c) => c.id)).toEqual(order.slice(1, 3));
    expect((await me.conversations.list({ offset: 1, limit: 2 })).map((c) => c.id)).toEqual(order.slice(1, 3));
    expect((await me.conversations.getRecentConversations(2, 3)).map((c) => c.id)).toEqual(order.slice(3));
    expect((await me.conversations.getRecentConversations()).map((c) => c.id)).toEqual(order);
    await expect(me.conversations.getRecentConversations(0)).rejects.toThrow(/page: must be at least 1/);
    // Another user's conversations are not in this user's lists.
    const other = db.forUser((await makeUser(db)).id);
    expect(await other.conversations.list()).toEqual([]);
    expect(await other.conversations.getRecentConversations()).toEqual([]);
  });

  it('addMessage stores the message and moves the conversation updated_at', async () => {
    const db = createFoodsave(t.engine);
    const user = await makeUser(db);
    const me = db.forUser(user.id);
    const c = await me.conversations.create({ sessionId: unique('m') });
    await sleep(5);
    const m = await me.conversations.addMessage(c.id, { content: 'What can I cook?', role: 'user' });
    expect(m).toMatchObject({ conversationId: c.id, content: 'What can I cook?', role: 'user', agentUsed: null, confidence: null, metadata: {} });
    const reply = await me.conversations.addMessage(c.id, {
      content: 'Spinach soup.',
      role: 'assistant',
      agentUsed: 'recipe-agent',
      confidence: 0.82,
      metadata: { tokens: 12 },
    });
    expect(reply).toMatchObject({ agentUsed: 'recipe-agent', confidence: 0.82, metadata: { tokens: 12 } });
    const after = await me.conversations.get(c.id);
    expect(after!.updatedAt.getTime()).toBeGreaterThan(c.updatedAt.getTime());
    // The back-office form takes the same message object.
    const note = await db.admin.conversations.addMessage(c.id, { content: 'Audit note.', role: 'system' });
    expect(note).toMatchObject({ conversationId: c.id, role: 'system' });
  });

  it('addMessage validates and refuses a missing conversation, or another user\'s', async () => {
    const db = createFoodsave(t.engine);
    const user = await makeUser(db);
    const me = db.forUser(user.id);
    const c = await me.conversations.create({ sessionId: unique('v') });
    await expect(me.conversations.addMessage(c.id, { content: '', role: 'user' })).rejects.toThrow(/content: must not be empty/);
    await expect(me.conversations.addMessage(c.id, { content: 'x', role: 'robot' as never })).rejects.toThrow(/role: must be one of user, assistant, system, tool/);
    await expect(me.conversations.addMessage(c.id, { content: 'x', role: 'user', agentUsed: null, confidence: 2 })).rejects.toBeInstanceOf(ValidationError);
    const missing = await me.conversations.addMessage(MISSING, { content: 'x', role: 'user' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing).toMatchObject({ field: 'conversationId' });
    const other = db.forUser((await makeUser(db)).id);
    const foreign = await other.conversations.addMessage(c.id, { content: 'x', role: 'user' }).catch((e: unknown) => e);
    expect(foreign).toBeInstanceOf(NotFoundError);
    expect(foreign).toMatchObject({ field: 'conversationId' });
    expect(await me.conversations.getContextWindow(c.id, 10)).toEqual([]);
  });

  it('refuses an options object with an unknown key, naming it, and writes nothing', async () => {
    const db = createFoodsave(t.engine);
    const user = await makeUser(db);
    const me = db.forUser(user.id);
    const c = await me.conversations.create({ sessionId: unique('o') });
    await withTransaction(t.engine, async (transaction) => {
      for (const [options, key] of [
        [{ userId: undefined }, 'userId'],
        [{ userId: user.id }, 'userId'],
        [{ transacton: transaction }, 'transacton'],
        [{ confidence: 0.5 }, 'confidence'],
      ] as const) {
        for (const conversations of [me.conversations, db.admin.conversations]) {
          const error = await conversations.addMessage(c.id, { content: 'x', role: 'user' }, options as never).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(ValidationError);
          expect((error as ValidationError).fields).toEqual([key]);
          expect((error as Error).message).toContain(key);
        }
      }
      await expect(me.conversations.getContextWindow(c.id, 10, { userId: undefined } as never)).rejects.toThrow(/userId: is not an option here/);
    });
    expect(await me.conversations.getContextWindow(c.id, 10)).toEqual([]);
    expect((await me.conversations.get(c.id))!.updatedAt).toEqual(c.updatedAt);
  });

  it('getConversationWithMessages returns messages oldest first, even when added in one transaction', async () => {
    const db = createFoodsave(t.engine);
    const user = await makeUser(db);
    const me = db.forUser(user.id);
    const c = await me.conversations.create({ sessionId: unique('w') });
    await withTransaction(t.engine, async (transaction) => {
      for (let i = 0; i < 6; i++) await me.conversations.addMessage(c.id, { content: `m${i}`, role: i % 2 ? 'assistant' : 'user', agentUsed: null }, { transaction });
    });
    const full = await me.conversations.getConversationWithMessages(c.id);
    expect(full!.messages.map((m) => m.content)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
    expect(full!.messages[0]!.createdAt).toBeInstanceOf(Date);
    expect(full!.id).toBe(c.id);
    expect(await db.admin.conversations.getConversationWithMessages(c.id)).toEqual(full);
    expect(await me.conversations.getConversationWithMessages(MISSING)).toBeNull();
    // Another user's scope does not see it.
    expect(await db.forUser((await makeUser(db)).id).conversations.getConversationWithMessages(c.id)).toBeNull();
    const empty = await me.conversations.create({ sessionId: unique('e') });
    expect((await me.conversations.getConversationWithMessages(empty.id))!.messages).toEqual([]);
  });

  it('getConversationWithMessages pages the messages: 100 by default, { offset, limit } up to 1000', async () => {
    const db = createFoodsave(t.engine);
    const me = db.forUser((await makeUser(db)).id);
    const c = await me.conversations.create({ sessionId: unique('p') });
    await rawQuery(
      t.url,
      `INSERT INTO messages (conversation_id, content, role, created_at)
         SELECT $1, 'm' || g, 'user', timestamptz '2026-01-01' + g * interval '1 second' FROM generate_series(1, 250) g`,
      [c.id],
    );
    const first = await me.conversations.getConversationWithMessages(c.id);
    expect(first!.messages.map((m) => m.content)).toEqual(Array.from({ length: 100 }, (_, i) => `m${i + 1}`));
    const last = await me.conversations.getConversationWithMessages(c.id, { offset: 200, limit: 100 });
    expect(last!.messages.map((m) => m.content)).toEqual(Array.from({ length: 50 }, (_, i) => `m${i + 201}`));
    expect((await me.conversations.getConversationWithMessages(c.id, { limit: 1000 }))!.messages).toHaveLength(250);
    const error = await me.conversations.getConversationWithMessages(c.id, { limit: 1001 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([{ path: ['limit'], message: 'must be at most 1000' }]);
  });

  it('getContextWindow returns the last n messages in chronological order', async () => {
    const db = createFoodsave(t.engine);
    const user = await makeUser(db);
    const me = db.forUser(user.id);
    const c = await me.conversations.create({ sessionId: unique('ctx') });
    for (let i = 0; i < 10; i++) await me.conversations.addMessage(c.id, { content: `m${i}`, role: 'user' });
    expect((await me.conversations.getContextWindow(c.id, 3)).map((m) => m.content)).toEqual(['m7', 'm8', 'm9']);
    expect((await me.conversations.getContextWindow(c.id, 50)).map((m) => m.content)).toHaveLength(10);
    expect(await db.forUser((await makeUser(db)).id).conversations.getContextWindow(c.id, 3)).toEqual([]);
    await expect(me.conversations.getContextWindow(c.id, 0)).rejects.toThrow(/limit: must be at least 1/);
  });
});
