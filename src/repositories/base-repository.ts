import type { QueryResultRow } from 'pg';
import type { InferAttributes, Model } from 'sequelize';
import { z } from 'zod';
import type { Engine } from '../engine/create-engine.js';
import type { QueryOptions } from '../engine/execute.js';
import { checkOptions, TX } from '../db/options.js';
import { runStatement } from '../db/run-statement.js';
import { pagingSchema, type Paging } from '../db/schemas/common.js';
import { checkId, type Scope } from '../db/scope.js';
import { ident, join, sql, type Sql } from '../db/sql.js';
import { tablesOf, type TableMeta, type TableName, type Tables } from '../db/table-metadata.js';
import { parseInput } from '../db/validate.js';

const skipLimitSchema = z.strictObject({ skip: pagingSchema.shape.offset.unwrap(), limit: pagingSchema.shape.limit.unwrap() });

/** How a repository is bound: to an engine, a scope and a table. @internal */
export interface RepositorySetup<C extends z.ZodType, U extends z.ZodType> {
  engine: Engine;
  scope: Scope;
  table: TableName;
  schemas: { create: C; update: U };
  /** The name used in error messages, such as `conversation`. */
  entity: string;
  /** The column naming the owning user (`user_id`, or `id` for users); `null` for the shared catalogue. */
  ownerColumn: string | null;
}

/**
 * The design document's `BaseRepository`: `create`, `get`, `getMulti`, `update` and `delete`, bound to
 * one engine, one table and one scope, typed end to end.
 *
 * Every statement carries the scope's owner condition, so a user-scoped repository cannot see or
 * change another user's rows, whatever the caller passes. Input is validated by the entity's zod
 * schemas first: unknown keys are refused, so `id`, `userId` or `createdAt` cannot be set through
 * `update`.
 *
 * @typeParam M - the model
 * @typeParam C - the zod schema of `create`'s input (back-office form, with `userId`)
 * @typeParam U - the zod schema of `update`'s input
 */
export abstract class BaseRepository<M extends Model, C extends z.ZodType, U extends z.ZodType> {
  protected readonly engine: Engine;
  protected readonly scope: Scope;
  protected readonly tables: Tables;
  protected readonly meta: TableMeta;
  protected readonly entity: string;
  private readonly schemas: { create: z.ZodType; update: U };
  private readonly ownerColumn: string | null;

  protected constructor(setup: RepositorySetup<C, U>) {
    this.engine = setup.engine;
    this.scope = setup.scope;
    this.tables = tablesOf(setup.engine.models);
    this.meta = this.tables[setup.table];
    this.entity = setup.entity;
    this.ownerColumn = setup.ownerColumn;
    // In a user's scope the owner comes from the scope, so input may not name one.
    const create = setup.scope.userId !== null && setup.ownerColumn === 'user_id' ? withoutOwner(setup.schemas.create) : setup.schemas.create;
    this.schemas = { create, update: setup.schemas.update };
  }

  /**
   * Inserts a row and returns it with its defaults filled in. In a user's scope the row is that user's.
   *
   * @throws {ValidationError} when the input is invalid; nothing is written.
   * @throws {ConflictError} when a unique field is already taken.
   * @throws {NotFoundError} when a referenced row does not exist or is another user's.
   */
  async create(input: z.input<C>, options: QueryOptions = {}): Promise<InferAttributes<M>> {
    checkOptions(options, TX, `create ${this.entity}`);
    const data = parseInput(this.engine.inputBounds, this.schemas.create, input, `create ${this.entity}`) as Record<string, unknown>;
    if (this.scope.userId !== null && this.ownerColumn === 'user_id') data.userId = this.scope.userId;
    const { rows } = await this.insertRows([data], options);
    return rows[0]!;
  }

  /** The row with this id, or `null` (also when it is outside the scope). */
  async get(id: string, options: QueryOptions = {}): Promise<InferAttributes<M> | null> {
    checkOptions(options, TX, `get ${this.entity}`);
    checkId(id, 'id', this.entity);
    const { rows } = await this.run<InferAttributes<M>>(
      sql`SELECT ${this.meta.select()} FROM ${this.meta.ref} WHERE id = ${id} AND ${this.owns()}`,
      options,
    );
    return rows[0] ?? null;
  }

  /**
   * A page of rows in the scope, in primary-key order (stable across pages).
   *
   * @param paging - `offset` (default 0) and `limit` (default 100, at most 1000)
   */
  async list(paging: Paging = {}, options: QueryOptions = {}): Promise<InferAttributes<M>[]> {
    checkOptions(options, TX, `list ${this.entity}`);
    const { offset = 0, limit = 100 } = parseInput(this.engine.inputBounds, pagingSchema, paging, `list ${this.entity}`);
    const { rows } = await this.run<InferAttributes<M>>(
      sql`SELECT ${this.meta.select()} FROM ${this.meta.ref} WHERE ${this.owns()} ORDER BY ${this.orderKey()} OFFSET ${offset} LIMIT ${limit}`,
      options,
    );
    return rows;
  }

  /** The design document's `get_multi(skip, limit)`: {@link list} with positional paging. */
  async getMulti(skip = 0, limit = 100, options: QueryOptions = {}): Promise<InferAttributes<M>[]> {
    // Validated under the document's names, so an error names `skip` as the caller wrote it.
    parseInput(this.engine.inputBounds, skipLimitSchema, { skip, limit }, `list ${this.entity}`);
    return this.list({ offset: skip, limit }, options);
  }

  /**
   * Changes the given fields and returns the updated row, or `null` when there is no such row in scope.
   *
   * @throws {ValidationError} for invalid or unknown fields; nothing is written.
   */
  async update(id: string, patch: z.input<U>, options: QueryOptions = {}): Promise<InferAttributes<M> | null> {
    checkOptions(options, TX, `update ${this.entity}`);
    checkId(id, 'id', this.entity);
    const data = parseInput(this.engine.inputBounds, this.schemas.update, patch, `update ${this.entity}`) as Record<string, unknown>;
    const sets = Object.entries(data)
      .filter(([, value]) => value !== undefined)
      .map(([attribute, value]) => {
        const column = this.meta.column(attribute);
        return sql`${ident(column.column)} = ${column.kind === 'json' ? JSON.stringify(value) : value}`;
      });
    if (sets.length === 0) return this.get(id, options);
    const { rows } = await this.run<InferAttributes<M>>(
      sql`UPDATE ${this.meta.ref} SET ${join(sets)} WHERE id = ${id} AND ${this.owns()} RETURNING ${this.meta.select()}`,
      options,
    );
    return rows[0] ?? null;
  }

  /**
   * Deletes the row; `true` if it existed in scope.
   *
   * @throws {ConflictError} when other rows still reference it (a product in a pantry).
   */
  async delete(id: string, options: QueryOptions = {}): Promise<boolean> {
    checkOptions(options, TX, `delete ${this.entity}`);
    checkId(id, 'id', this.entity);
    const { rowCount } = await this.run(sql`DELETE FROM ${this.meta.ref} WHERE id = ${id} AND ${this.owns()}`, options);
    return rowCount > 0;
  }

  /**
   * The row with this id in scope, with its child rows (`child`, joined on `foreignKey`, oldest first,
   * optionally one page of them) as the array `key`, in one statement; `null` if there is none.
   */
  protected async rowWithChildren<R, K extends string>(
    id: string,
    child: { table: TableName; foreignKey: string; key: K; page?: { offset: number; limit: number } },
    options: QueryOptions,
  ): Promise<(R & { [P in K]: unknown[] }) | null> {
    const meta = this.tables[child.table];
    const page = child.page ? sql` OFFSET ${child.page.offset} LIMIT ${child.page.limit}` : sql``;
    const { rows } = await this.run<Record<string, unknown>>(
      sql`SELECT ${this.meta.select('p')},
                 coalesce((SELECT json_agg(k ORDER BY ${ident('k', meta.attributeOf('created_at'))}, k.id)
                             FROM (SELECT ${meta.jsonSelect('c')} FROM ${meta.ref} c WHERE ${ident('c', child.foreignKey)} = p.id
                                    ORDER BY c.created_at, c.id${page}) k), '[]') AS ${ident(child.key)}
            FROM ${this.meta.ref} p WHERE p.id = ${id} AND ${this.owns('p')}`,
      options,
    );
    const row = rows[0];
    if (!row) return null;
    return { ...row, [child.key]: (row[child.key] as Record<string, unknown>[]).map((k) => meta.revive(k)) } as R & { [P in K]: unknown[] };
  }

  /** Inserts validated rows in one statement. */
  protected insertRows(rows: Record<string, unknown>[], options: QueryOptions): Promise<{ rows: InferAttributes<M>[] }> {
    const attributes = [...new Set(rows.flatMap((r) => Object.keys(r).filter((k) => r[k] !== undefined)))];
    const table = this.meta.ref;
    if (attributes.length === 0) return this.run(sql`INSERT INTO ${table} DEFAULT VALUES RETURNING ${this.meta.select()}`, options);
    const columns = attributes.map((a) => this.meta.column(a));
    const tuples = rows.map((row) =>
      sql`(${join(
        columns.map((c) => {
          const value = row[c.attribute];
          if (value === undefined) return sql`DEFAULT`;
          return sql`${c.kind === 'json' ? JSON.stringify(value) : value}`;
        }),
      )})`,
    );
    return this.run(
      sql`INSERT INTO ${table} (${join(columns.map((c) => ident(c.column)))}) VALUES ${join(tuples)} RETURNING ${this.meta.select()}`,
      options,
    );
  }

  /** The scope's owner condition on this table, optionally through a table alias. */
  protected owns(alias?: string): Sql {
    if (this.ownerColumn === null) return sql`TRUE`;
    return this.scope.owns(alias ? ident(alias, this.ownerColumn) : ident(this.ownerColumn));
  }

  /** Runs a statement (after those in `before`, in the same round trip) and maps database errors. */
  protected run<R extends QueryResultRow>(query: Sql, options: QueryOptions = {}, before: readonly Sql[] = []): Promise<{ rows: R[]; rowCount: number }> {
    return runStatement<R>(this.engine, this.scope, this.entity, query, options, before);
  }

  protected orderKey(): Sql {
    return sql`id`;
  }
}

const ownerless = new WeakMap<z.ZodType, z.ZodType>();

/** The create schema without `userId`, built once per schema: scopes are made per request. */
function withoutOwner(schema: z.ZodType): z.ZodType {
  let result = ownerless.get(schema);
  if (!result) {
    result = schema instanceof z.ZodObject ? schema.omit({ userId: true }) : schema;
    ownerless.set(schema, result);
  }
  return result;
}
