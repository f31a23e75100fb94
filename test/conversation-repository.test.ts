import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ConversationRepository, createRepositories, NotFoundError, UserRepository, ValidationError, withTransaction } from '../src/index.js';
import { makeUser, unique } from './support/fixtures.js';
import { useTestDatabase } from './support/test-database.js';

const t = useTestDatabase({ label: 'conversations' });

/**
 * The design document's TestConversationRepository, ported. One change: the document passes a random
 * `user_id`, which its own foreign key to `users` rejects on a real PostgreSQL, so a user is created first.
 */
describe('TestConversationRepository (from the design document)', () => {
  it('test_create_conversation', async () => {
    const repo = new ConversationRepository(t.engine);
    const user = await new UserRepository(t.engine).create({ username: 'doc_user_1', email: 'doc1@example.com' });
    const conversationData = { userId: user.id, sessionId: 'test_session_123', title: 'Test Conversation' };
    const conversation = await repo.create(conversationData);
    expect(conversation.id).not.toBeNull();
    expect(conversation.sessionId).toBe('test_session_123');
    expect(conversation.title).toBe('Test Conversation');
  });

  it('test_get_by_session_id', async () => {
    const repo = new ConversationRepository(t.engine);
    const user = await new UserRepository(t.engine).create({ username: 'doc_user_2', email: 'doc2@example.com' });
    const created = await repo.create({ userId: user.id, sessionId: 'test_session_456', title: 'Test Conversation' });
    const retrieved = await repo.getBySessionId('test_session_456');
    expect(retrieved).not.toBeNull();
    expect(retrieved!.id).toBe(created.id);
    expect(retrieved!.sessionId).toBe('test_session_456');
  });
});

describe('ConversationRepository', () => {
  it('getBySessionId returns null for an unknown session', async () => {
    expect(await new ConversationRepository(t.engine).getBySessionId('nope')).toBeNull();
  });

  it('getUserConversations: newest updated_at first, with skip and limit; a message moves a conversation up', async () => {
    const repos = createRepositories(t.engine);
    const user = await makeUser(repos);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      ids.push((await repos.conversations.create({ userId: user.id, sessionId: unique('c') })).id);
      await sleep(5);
    }
    expect((await repos.conversations.getUserConversations(user.id)).map((c) => c.id)).toEqual([...ids].reverse());
    await repos.conversations.addMessage(ids[0]!, 'bump', 'user');
    const order = (await repos.conversations.getUserConversations(user.id)).map((c) => c.id);
    expect(order).toEqual([ids[0], ids[3], ids[2], ids[1]]);
    expect((await repos.conversations.getUserConversations(user.id, 1, 2)).map((c) => c.id)).toEqual(order.slice(1, 3));
    expect((await repos.conversations.getRecentConversations(user.id, 2, 3)).map((c) => c.id)).toEqual(order.slice(3));
    expect((await repos.conversations.getRecentConversations(user.id)).map((c) => c.id)).toEqual(order);
    await expect(repos.conversations.getRecentConversations(user.id, 0)).rejects.toThrow(/page: must be at least 1/);
  });

  it('addMessage stores the message and moves the conversation updated_at', async () => {
    const repos = createRepositories(t.engine);
    const user = await makeUser(repos);
    const c = await repos.conversations.create({ userId: user.id, sessionId: unique('m') });
    await sleep(5);
    const m = await repos.conversations.addMessage(c.id, 'What can I cook?', 'user');
    expect(m).toMatchObject({ conversationId: c.id, content: 'What can I cook?', role: 'user', agentUsed: null, confidence: null, metadata: {} });
    const reply = await repos.conversations.addMessage(c.id, 'Spinach soup.', 'assistant', 'recipe-agent', { confidence: 0.82, metadata: { tokens: 12 } });
    expect(reply).toMatchObject({ agentUsed: 'recipe-agent', confidence: 0.82, metadata: { tokens: 12 } });
    const after = await repos.conversations.get(c.id);
    expect(after!.updatedAt.getTime()).toBeGreaterThan(c.updatedAt.getTime());
  });

  it('addMessage validates and refuses a missing conversation', async () => {
    const repos = createRepositories(t.engine);
    const user = await makeUser(repos);
    const c = await repos.conversations.create({ userId: user.id, sessionId: unique('v') });
    await expect(repos.conversations.addMessage(c.id, '', 'user')).rejects.toThrow(/content: must not be empty/);
    await expect(repos.conversations.addMessage(c.id, 'x', 'robot' as never)).rejects.toThrow(/role: must be one of user, assistant, system, tool/);
    await expect(repos.conversations.addMessage(c.id, 'x', 'user', null, { confidence: 2 })).rejects.toBeInstanceOf(ValidationError);
    const missing = await repos.conversations.addMessage('00000000-0000-4000-8000-000000000000', 'x', 'user').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing).toMatchObject({ field: 'conversationId' });
    expect(await repos.conversations.getContextWindow(c.id, 10)).toEqual([]);
  });

  it('getConversationWithMessages returns messages oldest first, even when added in one transaction', async () => {
    const repos = createRepositories(t.engine);
    const user = await makeUser(repos);
    const c = await repos.conversations.create({ userId: user.id, sessionId: unique('w') });
    await withTransaction(t.engine, async (transaction) => {
      for (let i = 0; i < 6; i++) await repos.conversations.addMessage(c.id, `m${i}`, i % 2 ? 'assistant' : 'user', null, { transaction });
    });
    const full = await repos.conversations.getConversationWithMessages(c.id);
    expect(full!.messages.map((m) => m.content)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
    expect(full!.messages[0]!.createdAt).toBeInstanceOf(Date);
    expect(full!.id).toBe(c.id);
    expect(await repos.conversations.getConversationWithMessages('00000000-0000-4000-8000-000000000000')).toBeNull();
    const empty = await repos.conversations.create({ userId: user.id, sessionId: unique('e') });
    expect((await repos.conversations.getConversationWithMessages(empty.id))!.messages).toEqual([]);
  });

  it('getContextWindow returns the last n messages in chronological order', async () => {
    const repos = createRepositories(t.engine);
    const user = await makeUser(repos);
    const c = await repos.conversations.create({ userId: user.id, sessionId: unique('ctx') });
    for (let i = 0; i < 10; i++) await repos.conversations.addMessage(c.id, `m${i}`, 'user');
    expect((await repos.conversations.getContextWindow(c.id, 3)).map((m) => m.content)).toEqual(['m7', 'm8', 'm9']);
    expect((await repos.conversations.getContextWindow(c.id, 50)).map((m) => m.content)).toHaveLength(10);
    await expect(repos.conversations.getContextWindow(c.id, 0)).rejects.toThrow(/limit: must be at least 1/);
  });
});
