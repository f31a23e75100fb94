import { Transaction } from 'sequelize';
import type { Engine } from '../engine/create-engine.js';
import type { QueryOptions } from '../engine/sql.js';
import { withTransaction } from '../engine/with-transaction.js';
import type { User } from '../models/user.js';
import { BaseRepository, type RecordOf } from './base-repository.js';
import type { ConversationWithMessages } from './conversation-repository.js';
import type { MealPlanWithItems } from './meal-plan-repository.js';
import type { PantryItemRecord } from './pantry-item-repository.js';
import type { ReceiptWithItems } from './receipt-repository.js';
import type { Serialized } from './serialized.js';
import {
  createUserSchema,
  updateUserSchema,
  userPreferencesSchema,
  type UserPreferences,
} from './schemas/user-schemas.js';
import { parseInput } from './validate.js';

export type UserRecord = RecordOf<User>;

/** Everything a user owns, as one JSON-serialisable document (GDPR-style export). */
export interface UserDataExport {
  exportedAt: string;
  user: Serialized<UserRecord>;
  conversations: Serialized<ConversationWithMessages>[];
  receipts: Serialized<ReceiptWithItems>[];
  pantryItems: Serialized<PantryItemRecord>[];
  mealPlans: Serialized<MealPlanWithItems>[];
}

/** Users: look-ups by username and email, preferences, deletion and export of everything they own. */
export class UserRepository extends BaseRepository<User, typeof createUserSchema, typeof updateUserSchema> {
  constructor(engine: Engine) {
    super(engine, engine.models.User, { create: createUserSchema, update: updateUserSchema }, 'user', 'id');
  }

  /**
   * The user with exactly this username, or `null`.
   *
   * @example
   * ```ts
   * const ana = await repos.users.getByUsername('ana');
   * ```
   */
  async getByUsername(username: string, options: QueryOptions = {}): Promise<UserRecord | null> {
    const { rows } = await this.run<UserRecord>(`SELECT ${this.selectList} FROM users WHERE username = $1`, [username], options);
    return rows[0] ?? null;
  }

  /**
   * The user with this email, compared without regard to case (decision 7), or `null`.
   *
   * @example
   * ```ts
   * const ana = await repos.users.getByEmail('Ana@Example.com');
   * ```
   */
  async getByEmail(email: string, options: QueryOptions = {}): Promise<UserRecord | null> {
    const { rows } = await this.run<UserRecord>(`SELECT ${this.selectList} FROM users WHERE lower(email) = lower($1)`, [email], options);
    return rows[0] ?? null;
  }

  /**
   * Merges a validated patch into the user's preferences (keys not in the patch are kept) and returns
   * the user, or `null` if there is none.
   *
   * @throws {ValidationError} for unknown or invalid preference keys; nothing is written.
   * @example
   * ```ts
   * await repos.users.updatePreferences(userId, { householdSize: 3, diet: ['vegetarian'] });
   * ```
   */
  async updatePreferences(userId: string, patch: UserPreferences, options: QueryOptions = {}): Promise<UserRecord | null> {
    this.checkUserId(userId);
    const data = parseInput(userPreferencesSchema, patch, 'update preferences');
    const { rows } = await this.run<UserRecord>(
      `UPDATE users SET preferences = coalesce(preferences, '{}'::jsonb) || $2::jsonb WHERE id = $1 RETURNING ${this.selectList}`,
      [userId, JSON.stringify(data)],
      options,
    );
    return rows[0] ?? null;
  }

  /**
   * Deletes the user and everything they own (conversations, messages, receipts, items, pantry, meal
   * plans), by the schema's ON DELETE CASCADE rules. `true` if the user existed.
   *
   * @example
   * ```ts
   * await repos.users.deleteUser(userId);
   * ```
   */
  async deleteUser(userId: string, options: QueryOptions = {}): Promise<boolean> {
    this.checkUserId(userId);
    return this.delete(userId, options);
  }

  /**
   * Every row the user owns, as one JSON document, read from one consistent snapshot
   * (REPEATABLE READ). `null` if there is no such user. Decimals are strings, dates ISO strings.
   *
   * @example
   * ```ts
   * const doc = await repos.users.exportUserData(userId);
   * await writeFile('export.json', JSON.stringify(doc));
   * ```
   */
  async exportUserData(userId: string, options: QueryOptions = {}): Promise<UserDataExport | null> {
    this.checkUserId(userId);
    const read = async (transaction: Transaction) => {
      const { rows } = await this.run<{ doc: UserDataExport | null }>(EXPORT_SQL, [userId], { transaction });
      return rows[0]?.doc ?? null;
    };
    const doc = options.transaction
      ? await read(options.transaction)
      : await withTransaction(this.engine, read, { isolationLevel: Transaction.ISOLATION_LEVELS.REPEATABLE_READ });
    return doc;
  }
}

/** One statement: JSON built in SQL, numerics as text so no value passes through a float. */
const EXPORT_SQL = `
SELECT CASE WHEN u.id IS NULL THEN NULL ELSE json_build_object(
  'exportedAt', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
  'user', json_build_object('id', u.id, 'username', u.username, 'email', u.email, 'createdAt', u.created_at,
                            'updatedAt', u.updated_at, 'preferences', u.preferences),
  'conversations', coalesce((
    SELECT json_agg(json_build_object(
      'id', c.id, 'userId', c.user_id, 'sessionId', c.session_id, 'title', c.title, 'createdAt', c.created_at,
      'updatedAt', c.updated_at, 'metadata', c.metadata,
      'messages', coalesce((SELECT json_agg(json_build_object(
          'id', m.id, 'conversationId', m.conversation_id, 'content', m.content, 'role', m.role,
          'agentUsed', m.agent_used, 'confidence', m.confidence, 'createdAt', m.created_at, 'metadata', m.metadata)
          ORDER BY m.created_at, m.id) FROM messages m WHERE m.conversation_id = c.id), '[]'::json))
      ORDER BY c.created_at, c.id)
    FROM conversations c WHERE c.user_id = u.id), '[]'::json),
  'receipts', coalesce((
    SELECT json_agg(json_build_object(
      'id', r.id, 'userId', r.user_id, 'storeName', r.store_name, 'totalAmount', r.total_amount::text,
      'purchaseDate', r.purchase_date, 'receiptDate', r.receipt_date, 'imagePath', r.image_path,
      'ocrConfidence', r.ocr_confidence, 'metadata', r.metadata, 'conversationId', r.conversation_id,
      'items', coalesce((SELECT json_agg(json_build_object(
          'id', i.id, 'receiptId', i.receipt_id, 'productName', i.product_name, 'quantity', i.quantity::text,
          'unitPrice', i.unit_price::text, 'totalPrice', i.total_price::text, 'categoryId', i.category_id,
          'createdAt', i.created_at, 'productId', i.product_id, 'unit', i.unit)
          ORDER BY i.created_at, i.id) FROM receipt_items i WHERE i.receipt_id = r.id), '[]'::json))
      ORDER BY r.purchase_date, r.id)
    FROM receipts r WHERE r.user_id = u.id), '[]'::json),
  'pantryItems', coalesce((
    SELECT json_agg(json_build_object(
      'id', p.id, 'userId', p.user_id, 'productId', p.product_id, 'quantity', p.quantity::text, 'unit', p.unit,
      'expiryDate', p.expiry_date, 'addedDate', p.added_date, 'notes', p.notes) ORDER BY p.added_date, p.id)
    FROM pantry_items p WHERE p.user_id = u.id), '[]'::json),
  'mealPlans', coalesce((
    SELECT json_agg(json_build_object(
      'id', mp.id, 'userId', mp.user_id, 'planDate', mp.plan_date, 'mealType', mp.meal_type,
      'recipeId', mp.recipe_id, 'notes', mp.notes, 'createdAt', mp.created_at,
      'items', coalesce((SELECT json_agg(json_build_object(
          'id', mi.id, 'mealPlanId', mi.meal_plan_id, 'recipeId', mi.recipe_id, 'productId', mi.product_id,
          'servings', mi.servings, 'quantity', mi.quantity::text, 'unit', mi.unit, 'notes', mi.notes,
          'createdAt', mi.created_at) ORDER BY mi.created_at, mi.id)
          FROM meal_plan_items mi WHERE mi.meal_plan_id = mp.id), '[]'::json))
      ORDER BY mp.plan_date, mp.id)
    FROM meal_plans mp WHERE mp.user_id = u.id), '[]'::json)
) END AS doc
FROM (SELECT 1) one LEFT JOIN users u ON u.id = $1`;
