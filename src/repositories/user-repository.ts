import { Transaction } from 'sequelize';
import type { Engine } from '../engine/create-engine.js';
import type { QueryOptions } from '../engine/execute.js';
import { beginTransaction, withTransaction } from '../db/with-transaction.js';
import type { User } from '../models/user.js';
import { checkOptions, TX } from '../db/options.js';
import type {
  ConversationRecord,
  MealPlanItemRecord,
  MealPlanRecord,
  MessageRecord,
  PantryEventRecord,
  PantryItemRecord,
  ProductMatchRecord,
  ReceiptItemRecord,
  ReceiptRecord,
  UserRecord,
} from '../db/records.js';
import { createUserSchema, updateUserSchema, userPreferencesSchema, type UserPreferences } from '../db/schemas/user-schemas.js';
import { limitSchema } from '../db/schemas/common.js';
import { z } from 'zod';
import { ALL_USERS, narrowScope, type Scope } from '../db/scope.js';
import type { Serialized } from '../db/serialized.js';
import { ident, join, raw, sql, type Sql } from '../db/sql.js';
import { T, OWNERSHIP, type OwnedTable, type Tables } from '../db/table-metadata.js';
import { parseInput } from '../db/validate.js';
import { BaseRepository } from './base-repository.js';

const pageSizeSchema = z.strictObject({ pageSize: limitSchema.shape.limit });
/** Look-ups are bounded like the fields they look up. */
const usernameLookup = z.strictObject({ username: z.string().max(50, 'must be at most 50 characters') });
const emailLookup = z.strictObject({ email: z.string().max(255, 'must be at most 255 characters') });

/**
 * Every row a user owns, one array per table, as one JSON-serialisable document (a GDPR-style export).
 * Generated from the table metadata and its ownership map, so a table added there is exported too.
 */
export interface UserDataExport {
  exportedAt: string;
  user: Serialized<UserRecord>;
  conversations: Serialized<ConversationRecord>[];
  messages: Serialized<MessageRecord>[];
  receipts: Serialized<ReceiptRecord>[];
  receiptItems: Serialized<ReceiptItemRecord>[];
  pantryItems: Serialized<PantryItemRecord>[];
  pantryEvents: Serialized<PantryEventRecord>[];
  productMatches: Serialized<ProductMatchRecord>[];
  mealPlans: Serialized<MealPlanRecord>[];
  mealPlanItems: Serialized<MealPlanItemRecord>[];
}

/** One page of {@link UserRepository.exportMyDataPages}: rows of one table, as {@link UserDataExport} has them. */
export interface UserDataPage {
  /** `users` for the user's own row, else the key of the table in {@link UserDataExport}. */
  table: OwnedTable;
  rows: Record<string, unknown>[];
}

/** Users: look-ups by username and email, preferences, deletion and export of everything they own. */
export class UserRepository extends BaseRepository<User, typeof createUserSchema, typeof updateUserSchema> {
  /** @internal Use `createFoodsave(engine).forUser(id).account`, or `.admin.users`. */
  constructor(engine: Engine, scope: Scope = ALL_USERS) {
    super({ engine, scope, table: 'users', schemas: { create: createUserSchema, update: updateUserSchema }, entity: 'user', ownerColumn: 'id' });
  }

  /** The user with exactly this username, or `null`. */
  async getByUsername(username: string, options: QueryOptions = {}): Promise<UserRecord | null> {
    checkOptions(options, TX, 'get user');
    parseInput(this.engine.inputBounds, usernameLookup, { username }, 'get user');
    const { rows } = await this.run<UserRecord>(sql`SELECT ${this.meta.select()} FROM ${T.users} WHERE username = ${username} AND ${this.owns()}`, options);
    return rows[0] ?? null;
  }

  /** The user with this email, compared without regard to case (decision 7), or `null`. */
  async getByEmail(email: string, options: QueryOptions = {}): Promise<UserRecord | null> {
    checkOptions(options, TX, 'get user');
    parseInput(this.engine.inputBounds, emailLookup, { email }, 'get user');
    // email_lower, not lower(email): a plain column is leak-proof, so under the policies it stays the index's condition (0017).
    const { rows } = await this.run<UserRecord>(sql`SELECT ${this.meta.select()} FROM ${T.users} WHERE email_lower = lower(${email}) AND ${this.owns()}`, options);
    return rows[0] ?? null;
  }

  /**
   * Merges a validated patch into the preferences of the scope's user (keys not in the patch are kept)
   * and returns the user, or `null` if there is none.
   *
   * @throws {ValidationError} for unknown or invalid preference keys; nothing is written.
   */
  async updateMyPreferences(patch: UserPreferences, options: QueryOptions = {}): Promise<UserRecord | null> {
    checkOptions(options, TX, 'update preferences');
    const data = parseInput(this.engine.inputBounds, userPreferencesSchema, patch, 'update preferences');
    const { rows } = await this.run<UserRecord>(
      sql`UPDATE ${T.users} SET preferences = coalesce(preferences, '{}'::jsonb) || ${JSON.stringify(data)}::jsonb
           WHERE id = ${this.ownId()} RETURNING ${this.meta.select()}`,
      options,
    );
    return rows[0] ?? null;
  }

  /** Back-office form of {@link updateMyPreferences}. */
  async updatePreferences(userId: string, patch: UserPreferences, options: QueryOptions = {}): Promise<UserRecord | null> {
    return this.narrowed(userId).updateMyPreferences(patch, options);
  }

  /**
   * Deletes the scope's user and everything they own, by the schema's ON DELETE CASCADE rules (decision
   * 9). `true` if the user existed.
   */
  async deleteMe(options: QueryOptions = {}): Promise<boolean> {
    return this.delete(this.ownId(), options);
  }

  /** Back-office form of {@link deleteMe}: the document's `delete_user`. */
  async deleteUser(userId: string, options: QueryOptions = {}): Promise<boolean> {
    return this.narrowed(userId).deleteMe(options);
  }

  /**
   * Every row the scope's user owns, as one JSON document, read from one consistent snapshot
   * (REPEATABLE READ). `null` if there is no such user. Decimals are strings, dates ISO strings.
   */
  async exportMyData(options: QueryOptions = {}): Promise<UserDataExport | null> {
    checkOptions(options, TX, 'export user data');
    const query = exportQuery(this.tables, this.ownId());
    const read = async (transaction: Transaction) => {
      const { rows } = await this.run<{ doc: UserDataExport | null }>(query, { transaction });
      return rows[0]?.doc ?? null;
    };
    return options.transaction
      ? read(options.transaction)
      : withTransaction(this.engine, read, { isolationLevel: Transaction.ISOLATION_LEVELS.REPEATABLE_READ });
  }

  /**
   * The same export as {@link exportMyData}, in pages of at most `pageSize` rows (default 500, at most
   * 1000): the user's own row first (table `users`), then each table's rows in primary-key order, all
   * from one REPEATABLE READ snapshot. For a user with a long history, where one document would be too
   * big to build or send at once. Nothing is yielded for a user that does not exist. Within a caller's
   * `transaction` the pages come from that transaction, so they share one snapshot only if it is
   * REPEATABLE READ or SERIALIZABLE. Its own transaction ends after a minute idle between pages.
   */
  async *exportMyDataPages(options: QueryOptions & { pageSize?: number } = {}): AsyncGenerator<UserDataPage> {
    checkOptions(options, [...TX, 'pageSize'], 'export user data');
    const { pageSize } = parseInput(this.engine.inputBounds, pageSizeSchema, { pageSize: options.pageSize ?? 500 }, 'export user data');
    const own = options.transaction ?? (await beginTransaction(this.engine, Transaction.ISOLATION_LEVELS.REPEATABLE_READ));
    try {
      // An iterator its caller abandons without return() would hold this snapshot and its connection;
      // the server ends such a transaction after a minute idle.
      if (!options.transaction) await this.run(sql`SELECT set_config('idle_in_transaction_session_timeout', '60s', true)`, { transaction: own });
      for await (const page of this.pages(pageSize, own)) yield page;
    } finally {
      if (!options.transaction) await (own as Transaction).commit().catch(() => undefined);
    }
  }

  private async *pages(pageSize: number, transaction: Transaction): AsyncGenerator<UserDataPage> {
    const userId = this.ownId();
    const { rows: users } = await this.run<{ row: Record<string, unknown> }>(
      sql`SELECT ${this.tables.users.json('u')} AS row FROM ${T.users} u WHERE u.id = ${userId}`,
      { transaction },
    );
    if (users.length === 0) return;
    yield { table: 'users', rows: users.map((r) => r.row) };
    for (const table of (Object.keys(OWNERSHIP) as OwnedTable[]).filter((name) => name !== 'users')) {
      const meta = this.tables[table];
      const key = join(meta.primaryKey.map((c) => ident('t', c)));
      let after: string[] | undefined;
      for (;;) {
        const { rows } = await this.run<{ row: Record<string, unknown>; key: string[] }>(
          sql`SELECT ${meta.json('t')} AS row, ARRAY[${join(meta.primaryKey.map((c) => sql`${ident('t', c)}::text`))}] AS key
                FROM ${meta.ref} t
               WHERE ${ownedBy(table, 't', userId, this.tables)} ${after ? sql`AND (${key}) > (${join(after.map((v) => sql`${v}`))})` : sql``}
               ORDER BY ${key} LIMIT ${pageSize}`,
          { transaction },
        );
        if (rows.length > 0) yield { table, rows: rows.map((r) => r.row) };
        if (rows.length < pageSize) break;
        after = rows.at(-1)!.key;
      }
    }
  }

  /** Back-office form of {@link exportMyData}: the export of one user. */
  async exportUserData(userId: string, options: QueryOptions = {}): Promise<UserDataExport | null> {
    return this.narrowed(userId).exportMyData(options);
  }

  private narrowed(userId: string): UserRepository {
    return new UserRepository(this.engine, narrowScope(this.scope, userId));
  }

  private ownId(): string {
    if (this.scope.userId === null) throw new Error('unreachable: the back-office scope has no user');
    return this.scope.userId;
  }
}

/** The condition that rows of `table` (aliased `alias`) belong to `userId`, following parents. */
function ownedBy(table: OwnedTable, alias: string, userId: string, tables: Tables, depth = 0): Sql {
  const rule: { column?: string; parent?: OwnedTable; via?: string } = OWNERSHIP[table];
  if (rule.column) return sql`${ident(alias, rule.column)} = ${userId}`;
  const parent = rule.parent!;
  const p = `p${depth}`;
  return sql`${ident(alias, rule.via!)} IN (SELECT ${ident(p, 'id')} FROM ${tables[parent].ref} ${ident(p)}
                                            WHERE ${ownedBy(parent, p, userId, tables, depth + 1)})`;
}

/** One statement: one JSON array per owned table, built in SQL, numerics as text. */
function exportQuery(tables: Tables, userId: string): Sql {
  const arrays = (Object.keys(OWNERSHIP) as OwnedTable[])
    .filter((t) => t !== 'users')
    .map((t) => {
      const meta = tables[t];
      return sql`${raw(`'${t}'`)}, coalesce((SELECT json_agg(${meta.json('t')} ORDER BY ${join(meta.primaryKey.map((c) => ident('t', c)))}) FROM ${meta.ref} t
                                             WHERE ${ownedBy(t, 't', userId, tables)}), '[]'::json)`;
    });
  return sql`SELECT CASE WHEN u.id IS NULL THEN NULL ELSE json_build_object(
               'exportedAt', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
               'user', ${tables.users.json('u')},
               ${join(arrays)}) END AS doc
               FROM (SELECT 1) one LEFT JOIN ${T.users} u ON u.id = ${userId}`;
}

