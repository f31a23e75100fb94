import type { QueryResultRow } from 'pg';
import type { InferAttributes, Model, ModelStatic } from 'sequelize';
import type { z } from 'zod';
import type { Engine } from '../engine/create-engine.js';
import type { QueryOptions } from '../engine/sql.js';
import { runStatement } from './run-statement.js';
import { ValidationError } from '../errors.js';
import { pagingSchema } from './schemas/common.js';
import { parseInput } from './validate.js';

/** A row as a plain object: what every repository returns, ready to serialise. */
export type RecordOf<M extends Model> = InferAttributes<M>;

/** Options of methods that can be limited to one user's rows. */
export interface ScopedOptions extends QueryOptions {
  /**
   * Only read or change rows this user owns. A row of another user is treated as missing: `get`
   * returns `null`, `update` returns `null`, `delete` returns `false`. Default: no scoping.
   */
  userId?: string;
}

interface Column {
  attribute: string;
  column: string;
  json: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `"` doubled: identifiers here come from model metadata, never from input, but stay quoted anyway. */
export const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * The design document's `BaseRepository`: `create`, `get`, `getMulti`, `update` and `delete`, bound to
 * one engine and one model, typed end to end.
 *
 * Statements are parameterised SQL generated once from the model's metadata and run straight on the
 * engine's pool (see `execute`), so a call costs about what hand-written `pg` costs. Input is validated
 * by the entity's zod schemas first: unknown keys are refused, so `id`, `userId` or `createdAt` cannot be
 * set through `update`.
 *
 * @typeParam M - the model
 * @typeParam C - the zod schema of `create`'s input
 * @typeParam U - the zod schema of `update`'s input
 */
export abstract class BaseRepository<M extends Model, C extends z.ZodType, U extends z.ZodType> {
  protected readonly table: string;
  protected readonly columns: readonly Column[];
  private readonly byAttribute: ReadonlyMap<string, Column>;
  /** `"col" AS "attr", ...` for the model's columns, unqualified. */
  protected readonly selectList: string;

  /**
   * @param engine - the engine every call runs on
   * @param model - the engine's model class (`engine.models.X`)
   * @param schemas - zod schemas for `create` and `update` input
   * @param entity - the name used in error messages, such as `conversation`
   * @param ownerColumn - the column holding the owning user's id (`user_id`, or `id` for users); `null`
   *   for shared tables such as products
   */
  protected constructor(
    protected readonly engine: Engine,
    model: ModelStatic<M>,
    protected readonly schemas: { create: C; update: U },
    protected readonly entity: string,
    protected readonly ownerColumn: string | null,
  ) {
    this.table = model.getTableName() as string;
    const attributes = model.getAttributes() as Record<string, { field?: string; type: { key?: string } }>;
    this.columns = Object.entries(attributes).map(([attribute, def]) => ({
      attribute,
      column: def.field ?? attribute,
      json: def.type.key === 'JSONB' || def.type.key === 'JSON',
    }));
    this.byAttribute = new Map(this.columns.map((c) => [c.attribute, c]));
    this.selectList = this.selectListFor();
  }

  /** The select list, qualified with a table alias when given. */
  protected selectListFor(alias?: string): string {
    const prefix = alias ? `${alias}.` : '';
    return this.columns.map((c) => `${prefix}${ident(c.column)} AS ${ident(c.attribute)}`).join(', ');
  }

  /**
   * Inserts a row and returns it with its defaults filled in.
   *
   * @throws {ValidationError} when the input is invalid; nothing is written.
   * @throws {ConflictError} when a unique field is already taken.
   * @throws {NotFoundError} when a referenced row (such as `userId`) does not exist.
   * @example
   * ```ts
   * const conversation = await repos.conversations.create({ userId, sessionId: 'web-42', title: 'Dinner ideas' });
   * ```
   */
  async create(input: z.input<C>, options: QueryOptions = {}): Promise<RecordOf<M>> {
    const data = parseInput(this.schemas.create, input, `create ${this.entity}`) as Record<string, unknown>;
    const { rows } = await this.insertRows([data], options);
    return rows[0]!;
  }

  /**
   * The row with this id, or `null`.
   *
   * @example
   * ```ts
   * const receipt = await repos.receipts.get(id, { userId }); // null if it is another user's
   * ```
   */
  async get(id: string, options: ScopedOptions = {}): Promise<RecordOf<M> | null> {
    const [where, values] = this.whereId(id, options);
    const { rows } = await this.run<RecordOf<M>>(`SELECT ${this.selectList} FROM ${ident(this.table)} WHERE ${where}`, values, options);
    return rows[0] ?? null;
  }

  /**
   * A page of rows, in primary-key order (stable across pages). With `userId`, only that user's rows.
   *
   * @example
   * ```ts
   * const page2 = await repos.products.getMulti(100, 100);
   * ```
   */
  async getMulti(skip = 0, limit = 100, options: ScopedOptions = {}): Promise<RecordOf<M>[]> {
    parseInput(pagingSchema, { skip, limit }, `list ${this.entity}`);
    const values: unknown[] = [skip, limit];
    let where = '';
    if (options.userId !== undefined) {
      where = `WHERE ${this.ownerWhere(options.userId, values)}`;
    }
    const { rows } = await this.run<RecordOf<M>>(
      `SELECT ${this.selectList} FROM ${ident(this.table)} ${where} ORDER BY ${this.orderKey()} OFFSET $1 LIMIT $2`,
      values,
      options,
    );
    return rows;
  }

  /**
   * Changes the given fields and returns the updated row, or `null` when there is no such row (or it
   * belongs to another user, with `userId`).
   *
   * @throws {ValidationError} for invalid or unknown fields; nothing is written.
   * @example
   * ```ts
   * const updated = await repos.conversations.update(id, { title: 'Weekend plan' }, { userId });
   * ```
   */
  async update(id: string, patch: z.input<U>, options: ScopedOptions = {}): Promise<RecordOf<M> | null> {
    const data = parseInput(this.schemas.update, patch, `update ${this.entity}`) as Record<string, unknown>;
    const [where, values] = this.whereId(id, options);
    const sets: string[] = [];
    for (const [attribute, value] of Object.entries(data)) {
      if (value === undefined) continue;
      const column = this.column(attribute);
      values.push(column.json ? JSON.stringify(value) : value);
      sets.push(`${ident(column.column)} = $${values.length}`);
    }
    if (sets.length === 0) return this.get(id, options);
    const { rows } = await this.run<RecordOf<M>>(
      `UPDATE ${ident(this.table)} SET ${sets.join(', ')} WHERE ${where} RETURNING ${this.selectList}`,
      values,
      options,
    );
    return rows[0] ?? null;
  }

  /**
   * Deletes the row; `true` if it existed (and, with `userId`, belonged to that user).
   *
   * @throws {ConflictError} when other rows still reference it (a product in a pantry).
   * @example
   * ```ts
   * const deleted = await repos.pantryItems.delete(itemId, { userId });
   * ```
   */
  async delete(id: string, options: ScopedOptions = {}): Promise<boolean> {
    const [where, values] = this.whereId(id, options);
    const { rowCount } = await this.run(`DELETE FROM ${ident(this.table)} WHERE ${where}`, values, options);
    return rowCount > 0;
  }

  /** Inserts validated rows in one statement. */
  protected async insertRows(rows: Record<string, unknown>[], options: QueryOptions): Promise<{ rows: RecordOf<M>[] }> {
    const attributes = [...new Set(rows.flatMap((r) => Object.keys(r).filter((k) => r[k] !== undefined)))];
    const values: unknown[] = [];
    const tuples = rows.map((row) => {
      const placeholders = attributes.map((attribute) => {
        const value = row[attribute];
        if (value === undefined) return 'DEFAULT';
        values.push(this.column(attribute).json ? JSON.stringify(value) : value);
        return `$${values.length}`;
      });
      return `(${placeholders.join(', ')})`;
    });
    const columns = attributes.map((a) => ident(this.column(a).column)).join(', ');
    const sql =
      attributes.length === 0
        ? `INSERT INTO ${ident(this.table)} DEFAULT VALUES RETURNING ${this.selectList}`
        : `INSERT INTO ${ident(this.table)} (${columns}) VALUES ${tuples.join(', ')} RETURNING ${this.selectList}`;
    return this.run<RecordOf<M>>(sql, values, options);
  }

  /** Runs SQL and turns database errors into the library's errors. */
  protected async run<R extends QueryResultRow>(
    text: string,
    values: unknown[],
    options: QueryOptions = {},
  ): Promise<{ rows: R[]; rowCount: number }> {
    return runStatement<R>(this.engine, this.entity, text, values, options);
  }

  /** Validates a user id argument, naming it in the error. */
  protected checkUserId(userId: string): void {
    this.checkId(userId, 'userId');
  }

  /** Validates an id argument, naming it in the error. A regex, not zod: this is on every hot path. */
  protected checkId(id: unknown, field = 'id'): void {
    if (typeof id !== 'string' || !UUID.test(id)) {
      throw new ValidationError([{ path: [field], message: 'must be a UUID' }], { context: this.entity });
    }
  }

  protected column(attribute: string): Column {
    const column = this.byAttribute.get(attribute);
    // Schemas are strict, so this only trips on a schema that names an attribute the model lacks.
    if (!column) throw new Error(`${this.entity}: no column for attribute ${attribute}`);
    return column;
  }

  /** `id = $1 [AND owner = $2]`, with its values. */
  private whereId(id: string, options: ScopedOptions): [string, unknown[]] {
    this.checkId(id);
    const values: unknown[] = [id];
    let where = `${ident(this.primaryKey())} = $1`;
    if (options.userId !== undefined) where += ` AND ${this.ownerWhere(options.userId, values)}`;
    return [where, values];
  }

  /** The owner condition, appending the user id to `values`. */
  protected ownerWhere(userId: string, values: unknown[], alias?: string): string {
    this.checkUserId(userId);
    if (!this.ownerColumn) throw new Error(`${this.entity} rows belong to no user; userId scoping does not apply`);
    values.push(userId);
    return `${alias ? `${alias}.` : ''}${ident(this.ownerColumn)} = $${values.length}`;
  }

  protected primaryKey(): string {
    return 'id';
  }

  protected orderKey(): string {
    return ident(this.primaryKey());
  }
}
