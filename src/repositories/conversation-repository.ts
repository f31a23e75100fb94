import { z } from 'zod';
import type { Engine } from '../engine/create-engine.js';
import type { QueryOptions } from '../engine/execute.js';
import { NotFoundError } from '../errors.js';
import type { Conversation } from '../models/conversation.js';
import { checkOptions, TX } from '../db/options.js';
import type { ConversationRecord, ConversationWithMessages, MessageRecord } from '../db/records.js';
import { createConversationSchema, newMessageSchema, updateConversationSchema, type NewMessageInput } from '../db/schemas/conversation-schemas.js';
import { limitSchema, pagingSchema, type Paging } from '../db/schemas/common.js';
import { ALL_USERS, checkId, narrowScope, type Scope } from '../db/scope.js';
import { sql } from '../db/sql.js';
import { T } from '../db/table-metadata.js';
import { parseInput } from '../db/validate.js';
import { BaseRepository } from './base-repository.js';

/** A look-up is bounded like the field it looks up. */
const sessionLookup = z.strictObject({ sessionId: z.string().max(100, 'must be at most 100 characters') });

const pageSchema = z.strictObject({
  page: z.number().int('must be a whole number').min(1, 'must be at least 1'),
  pageSize: z.number().int('must be a whole number').min(1, 'must be at least 1').max(1000, 'must be at most 1000'),
});

/**
 * Conversations and their messages: the document's `ConversationRepository`, plus the context window an
 * AI agent reads before every reply.
 */
export class ConversationRepository extends BaseRepository<Conversation, typeof createConversationSchema, typeof updateConversationSchema> {
  /** @internal Use `createFoodsave(engine).forUser(id).conversations`, or `.admin.conversations`. */
  constructor(engine: Engine, scope: Scope = ALL_USERS) {
    super({ engine, scope, table: 'conversations', schemas: { create: createConversationSchema, update: updateConversationSchema }, entity: 'conversation', ownerColumn: 'user_id' });
  }

  /** The conversation with this session id, or `null`. Session ids are unique (decision 6). */
  async getBySessionId(sessionId: string, options: QueryOptions = {}): Promise<ConversationRecord | null> {
    checkOptions(options, TX, 'get conversation');
    parseInput(this.engine.inputBounds, sessionLookup, { sessionId }, 'get conversation');
    const { rows } = await this.run<ConversationRecord>(
      sql`SELECT ${this.meta.select()} FROM ${T.conversations} WHERE session_id = ${sessionId} AND ${this.owns()}`,
      options,
    );
    return rows[0] ?? null;
  }

  /**
   * The design document's `get_user_conversations` (back-office): one user's conversations, most
   * recently active first. In a user's scope use {@link list}.
   */
  async getUserConversations(userId: string, paging: Paging = {}, options: QueryOptions = {}): Promise<ConversationRecord[]> {
    return new ConversationRepository(this.engine, narrowScope(this.scope, userId)).list(paging, options);
  }

  /** The document's `get_recent_conversations`: page `page` (from 1) of `pageSize`, most recent first. */
  async getRecentConversations(page = 1, pageSize = 20, options: QueryOptions = {}): Promise<ConversationRecord[]> {
    parseInput(this.engine.inputBounds, pageSchema, { page, pageSize }, 'list conversations');
    return this.list({ offset: (page - 1) * pageSize, limit: pageSize }, options);
  }

  /**
   * Adds a message. Its conversation's `updated_at` moves too (a trigger, decision 5). Messages added
   * in one transaction keep their order: each gets `clock_timestamp()`, not the transaction's start.
   * The conversation must be in scope, checked in the same statement as the insert.
   *
   * @throws {NotFoundError} when the conversation does not exist, or is another user's.
   * @throws {ValidationError} for an empty content, an unknown role or a confidence outside 0..1.
   */
  async addMessage(conversationId: string, message: NewMessageInput, options: QueryOptions = {}): Promise<MessageRecord> {
    checkOptions(options, TX, 'add message');
    checkId(conversationId, 'conversationId', 'add message');
    const data = parseInput(this.engine.inputBounds, newMessageSchema, message, 'add message');
    const { rows } = await this.run<MessageRecord>(
      sql`INSERT INTO ${T.messages} (conversation_id, content, role, agent_used, confidence, metadata, created_at)
          SELECT c.id, ${data.content}, ${data.role}, ${data.agentUsed ?? null}, ${data.confidence ?? null},
                 ${JSON.stringify(data.metadata ?? {})}, clock_timestamp()
            FROM ${T.conversations} c WHERE c.id = ${conversationId} AND ${this.owns('c')}
          RETURNING ${this.tables.messages.select()}`,
      options,
    );
    if (!rows[0]) throw new NotFoundError('conversation', `conversationId: no conversation ${conversationId}`, { field: 'conversationId' });
    return rows[0];
  }

  /**
   * The conversation with one page of its messages, oldest first, in one statement; `null` if there is
   * none. Paging is `{ offset, limit }` over the messages: `offset` 0 and `limit` 100 by default, at most
   * 1000 at a time, so one call never reads an unbounded history.
   *
   * @example
   * ```ts
   * const first = await me.conversations.getConversationWithMessages(conversationId);
   * const next = await me.conversations.getConversationWithMessages(conversationId, { offset: 100, limit: 100 });
   * ```
   */
  async getConversationWithMessages(
    conversationId: string,
    options: QueryOptions & Paging = {},
  ): Promise<ConversationWithMessages | null> {
    checkOptions(options, [...TX, 'offset', 'limit'], 'get conversation');
    checkId(conversationId, 'conversationId');
    const { transaction, ...paging } = options;
    const { offset = 0, limit = 100 } = parseInput(this.engine.inputBounds, pagingSchema, paging, 'get conversation');
    return this.rowWithChildren<ConversationWithMessages, 'messages'>(
      conversationId,
      { table: 'messages', foreignKey: 'conversation_id', key: 'messages', page: { offset, limit } },
      { transaction },
    );
  }

  /**
   * The last `n` messages of a conversation in chronological order: what an agent reads before replying.
   * One index scan on (conversation_id, created_at), newest first, then reversed.
   */
  async getContextWindow(conversationId: string, n: number, options: QueryOptions = {}): Promise<MessageRecord[]> {
    checkOptions(options, TX, 'context window');
    checkId(conversationId, 'conversationId');
    parseInput(this.engine.inputBounds, limitSchema, { limit: n }, 'context window size');
    const { rows } = await this.run<MessageRecord>(
      sql`SELECT ${this.tables.messages.select()} FROM ${T.messages}
           WHERE conversation_id = ${conversationId}
             AND EXISTS (SELECT 1 FROM ${T.conversations} c WHERE c.id = ${conversationId} AND ${this.owns('c')})
           ORDER BY created_at DESC, id DESC LIMIT ${n}`,
      options,
    );
    return rows.reverse();
  }

  protected override orderKey() {
    return sql`updated_at DESC, id`;
  }
}
