import { z } from 'zod';
import type { Engine } from '../engine/create-engine.js';
import { NotFoundError } from '../errors.js';
import type { Conversation } from '../models/conversation.js';
import type { Message, MessageRole } from '../models/message.js';
import type { JsonObject } from '../models/types.js';
import { BaseRepository, type RecordOf, type ScopedOptions } from './base-repository.js';
import {
  createConversationSchema,
  createMessageSchema,
  updateConversationSchema,
} from './schemas/conversation-schemas.js';
import { limitSchema, pagingSchema } from './schemas/common.js';
import { parseInput } from './validate.js';

export type ConversationRecord = RecordOf<Conversation>;
export type MessageRecord = RecordOf<Message>;
export type ConversationWithMessages = ConversationRecord & { messages: MessageRecord[] };

/** Extra fields of {@link ConversationRepository.addMessage}. */
export interface AddMessageOptions extends ScopedOptions {
  /** The agent's confidence, 0 to 1. Default: none. */
  confidence?: number | null;
  /** Free-form JSON stored with the message. Default: `{}`. */
  metadata?: JsonObject;
}

const pageSchema = z.strictObject({
  page: z.number().int('must be a whole number').min(1, 'must be at least 1'),
  pageSize: pagingSchema.shape.limit,
});

const MESSAGE_COLUMNS =
  'id, conversation_id AS "conversationId", content, role, agent_used AS "agentUsed", confidence, ' +
  'created_at AS "createdAt", metadata';

/**
 * Conversations and their messages: the document's `ConversationRepository`, plus the context window an
 * AI agent reads before every reply.
 */
export class ConversationRepository extends BaseRepository<
  Conversation,
  typeof createConversationSchema,
  typeof updateConversationSchema
> {
  constructor(engine: Engine) {
    super(engine, engine.models.Conversation, { create: createConversationSchema, update: updateConversationSchema }, 'conversation', 'user_id');
  }

  /**
   * The conversation with this session id, or `null`. Session ids are unique (decision 6).
   *
   * @example
   * ```ts
   * const conversation = await repos.conversations.getBySessionId('web-42', { userId });
   * ```
   */
  async getBySessionId(sessionId: string, options: ScopedOptions = {}): Promise<ConversationRecord | null> {
    const values: unknown[] = [sessionId];
    const scope = options.userId !== undefined ? ` AND ${this.ownerWhere(options.userId, values)}` : '';
    const { rows } = await this.run<ConversationRecord>(
      `SELECT ${this.selectList} FROM conversations WHERE session_id = $1${scope}`,
      values,
      options,
    );
    return rows[0] ?? null;
  }

  /**
   * A user's conversations, most recently active first (`updated_at` moves with every message).
   *
   * @example
   * ```ts
   * const latest = await repos.conversations.getUserConversations(userId, 0, 10);
   * ```
   */
  async getUserConversations(userId: string, skip = 0, limit = 50, options: ScopedOptions = {}): Promise<ConversationRecord[]> {
    this.checkUserId(userId);
    parseInput(pagingSchema, { skip, limit }, 'list conversations');
    const { rows } = await this.run<ConversationRecord>(
      `SELECT ${this.selectList} FROM conversations WHERE user_id = $1 ORDER BY updated_at DESC, id OFFSET $2 LIMIT $3`,
      [userId, skip, limit],
      options,
    );
    return rows;
  }

  /**
   * The document's `get_recent_conversations`: page `page` (from 1) of `pageSize`, most recent first.
   *
   * @example
   * ```ts
   * const second = await repos.conversations.getRecentConversations(userId, 2, 20);
   * ```
   */
  async getRecentConversations(userId: string, page = 1, pageSize = 20, options: ScopedOptions = {}): Promise<ConversationRecord[]> {
    parseInput(pageSchema, { page, pageSize }, 'list conversations');
    return this.getUserConversations(userId, (page - 1) * pageSize, pageSize, options);
  }

  /**
   * Adds a message. Its conversation's `updated_at` moves too (a trigger, decision 5). Messages added
   * in one transaction keep their order: each gets `clock_timestamp()`, not the transaction's start.
   *
   * @throws {NotFoundError} when the conversation does not exist, or is another user's (with `userId`).
   * @throws {ValidationError} for an empty content, an unknown role or a confidence outside 0..1.
   * @example
   * ```ts
   * await repos.conversations.addMessage(conversationId, 'Use the spinach first.', 'assistant', 'pantry-agent');
   * ```
   */
  async addMessage(
    conversationId: string,
    content: string,
    role: MessageRole,
    agentUsed?: string | null,
    options: AddMessageOptions = {},
  ): Promise<MessageRecord> {
    const data = parseInput(
      createMessageSchema,
      {
        conversationId,
        content,
        role,
        ...(agentUsed !== undefined ? { agentUsed } : {}),
        ...(options.confidence !== undefined ? { confidence: options.confidence } : {}),
        ...(options.metadata !== undefined ? { metadata: options.metadata } : {}),
      },
      'add message',
    );
    const values: unknown[] = [
      data.conversationId,
      data.content,
      data.role,
      data.agentUsed ?? null,
      data.confidence ?? null,
      JSON.stringify(data.metadata ?? {}),
    ];
    // Unscoped, a plain insert: the foreign key reports a missing conversation (as NotFoundError).
    // Scoped, INSERT ... SELECT: another user's conversation inserts nothing, in the same round trip.
    const sql =
      options.userId === undefined
        ? `INSERT INTO messages (conversation_id, content, role, agent_used, confidence, metadata, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, clock_timestamp()) RETURNING ${MESSAGE_COLUMNS}`
        : `INSERT INTO messages (conversation_id, content, role, agent_used, confidence, metadata, created_at)
           SELECT id, $2, $3, $4, $5, $6, clock_timestamp() FROM conversations
            WHERE id = $1 AND ${this.ownerWhere(options.userId, values)}
           RETURNING ${MESSAGE_COLUMNS}`;
    const { rows } = await this.run<MessageRecord>(sql, values, options);
    if (!rows[0]) {
      throw new NotFoundError('conversation', `conversationId: no conversation ${conversationId}`, { field: 'conversationId' });
    }
    return rows[0];
  }

  /**
   * The conversation with all its messages, oldest first, in one statement; `null` if there is none.
   *
   * @example
   * ```ts
   * const { messages } = (await repos.conversations.getConversationWithMessages(id, { userId }))!;
   * ```
   */
  async getConversationWithMessages(conversationId: string, options: ScopedOptions = {}): Promise<ConversationWithMessages | null> {
    this.checkId(conversationId, 'conversationId');
    const values: unknown[] = [conversationId];
    const scope = options.userId !== undefined ? ` AND ${this.ownerWhere(options.userId, values, 'c')}` : '';
    const { rows } = await this.run<ConversationRecord & { messages: RawMessage[] }>(
      `SELECT ${this.selectListFor('c')},
              coalesce((SELECT json_agg(json_build_object(
                  'id', m.id, 'conversationId', m.conversation_id, 'content', m.content, 'role', m.role,
                  'agentUsed', m.agent_used, 'confidence', m.confidence, 'createdAt', m.created_at,
                  'metadata', m.metadata) ORDER BY m.created_at, m.id)
                FROM messages m WHERE m.conversation_id = c.id), '[]') AS messages
         FROM conversations c WHERE c.id = $1${scope}`,
      values,
      options,
    );
    const row = rows[0];
    if (!row) return null;
    return { ...row, messages: row.messages.map(toMessage) };
  }

  /**
   * The last `n` messages of a conversation in chronological order: what an agent reads before replying.
   * One index scan on (conversation_id, created_at), newest first, then reversed.
   *
   * @example
   * ```ts
   * const context = await repos.conversations.getContextWindow(conversationId, 20, { userId });
   * ```
   */
  async getContextWindow(conversationId: string, n: number, options: ScopedOptions = {}): Promise<MessageRecord[]> {
    this.checkId(conversationId, 'conversationId');
    parseInput(limitSchema, { limit: n }, 'context window size');
    const values: unknown[] = [conversationId, n];
    const scope =
      options.userId !== undefined
        ? ` AND EXISTS (SELECT 1 FROM conversations c WHERE c.id = $1 AND ${this.ownerWhere(options.userId, values, 'c')})`
        : '';
    const { rows } = await this.run<MessageRecord>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1${scope}
        ORDER BY created_at DESC, id DESC LIMIT $2`,
      values,
      options,
    );
    return rows.reverse();
  }
}

type RawMessage = Omit<MessageRecord, 'createdAt'> & { createdAt: string };

function toMessage(m: RawMessage): MessageRecord {
  return { ...m, createdAt: new Date(m.createdAt) } as MessageRecord;
}
