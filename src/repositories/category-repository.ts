import type { Engine } from '../engine/create-engine.js';
import type { QueryOptions } from '../engine/execute.js';
import type { Category } from '../models/category.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { checkOptions, TX } from '../db/options.js';
import type { CategoryRecord, CategoryWithChildren } from '../db/records.js';
import { createCategorySchema, updateCategorySchema } from '../db/schemas/catalog-schemas.js';
import { ALL_USERS, checkId } from '../db/scope.js';
import { sql } from '../db/sql.js';
import { T } from '../db/table-metadata.js';
import { BaseRepository } from './base-repository.js';

/** Categories: a tree through `parent_id`. */
export class CategoryRepository extends BaseRepository<Category, typeof createCategorySchema, typeof updateCategorySchema> {
  /** @internal Use `createFoodsave(engine).catalog.categories`. */
  constructor(engine: Engine) {
    super({ engine, scope: ALL_USERS, table: 'categories', schemas: { create: createCategorySchema, update: updateCategorySchema }, entity: 'category', ownerColumn: null });
  }

  /**
   * Top-level categories (no parent), by name.
   */
  async getRoots(options: QueryOptions = {}): Promise<CategoryRecord[]> {
    checkOptions(options, TX, 'category roots');
    const { rows } = await this.run<CategoryRecord>(sql`SELECT ${this.meta.select()} FROM ${T.categories} WHERE parent_id IS NULL ORDER BY name, id`, options);
    return rows;
  }

  /**
   * The direct children of a category, by name.
   */
  async getChildren(categoryId: string, options: QueryOptions = {}): Promise<CategoryRecord[]> {
    checkOptions(options, TX, 'category');
    checkId(categoryId, 'categoryId');
    const { rows } = await this.run<CategoryRecord>(sql`SELECT ${this.meta.select()} FROM ${T.categories} WHERE parent_id = ${categoryId} ORDER BY name, id`, options);
    return rows;
  }

  /**
   * A category with its direct children, in one statement; `null` if there is none.
   */
  async getWithChildren(categoryId: string, options: QueryOptions = {}): Promise<CategoryWithChildren | null> {
    checkOptions(options, TX, 'category');
    checkId(categoryId, 'categoryId');
    const { rows } = await this.run<CategoryRecord & { children: Record<string, unknown>[] }>(
      sql`SELECT ${this.meta.select('c')},
                 coalesce((SELECT json_agg(${this.meta.json('k')} ORDER BY k.name, k.id)
                             FROM ${T.categories} k WHERE k.parent_id = c.id), '[]') AS children
            FROM ${T.categories} c WHERE c.id = ${categoryId}`,
      options,
    );
    const row = rows[0];
    if (!row) return null;
    return { ...row, children: row.children.map((k) => this.meta.revive<CategoryRecord>(k)) };
  }

  /**
   * The category and every category below it, in one recursive query, each with its depth (0 for the
   * category itself), parents before children. The tree is at most 32 levels deep (migration 0010), and
   * the query stops there too, so even a cycle written before 0010 cannot make it run forever.
   */
  async getSubtree(categoryId: string, options: QueryOptions = {}): Promise<(CategoryRecord & { depth: number })[]> {
    checkOptions(options, TX, 'category');
    checkId(categoryId, 'categoryId');
    const { rows } = await this.run<CategoryRecord & { depth: number }>(
      sql`WITH RECURSIVE tree AS (
         SELECT c.*, 0 AS depth, ARRAY[c.name::text, c.id::text] AS path FROM ${T.categories} c WHERE c.id = ${categoryId}
         UNION ALL
         SELECT k.*, t.depth + 1, t.path || ARRAY[k.name::text, k.id::text] FROM ${T.categories} k JOIN tree t ON k.parent_id = t.id
          WHERE t.depth < 32
       )
       SELECT ${this.meta.select()}, depth FROM tree ORDER BY path`,
      options,
    );
    return rows;
  }

  /**
   * The category's ancestors, nearest first (its parent, then the parent's parent, ...), in one query.
   */
  async getAncestors(categoryId: string, options: QueryOptions = {}): Promise<CategoryRecord[]> {
    checkOptions(options, TX, 'category');
    checkId(categoryId, 'categoryId');
    const { rows } = await this.run<CategoryRecord>(
      sql`WITH RECURSIVE up AS (
         SELECT p.*, 1 AS depth FROM ${T.categories} c JOIN ${T.categories} p ON p.id = c.parent_id WHERE c.id = ${categoryId}
         UNION ALL
         SELECT p.*, u.depth + 1 FROM ${T.categories} p JOIN up u ON p.id = u.parent_id WHERE u.depth < 100
       )
       SELECT ${this.meta.select()} FROM up ORDER BY depth`,
      options,
    );
    return rows;
  }

  /**
   * Moves a category under another (or to the top with `null`). Moving it under itself or one of its
   * own descendants is refused, checked in the same statement as the move.
   *
   * @throws {ValidationError} for a move that would make a cycle; {NotFoundError} when either is missing.
   * @example
   * ```ts
   * await db.catalog.categories.move(cheeseId, dairyId);
   * ```
   */
  async move(categoryId: string, newParentId: string | null, options: QueryOptions = {}): Promise<CategoryRecord> {
    checkOptions(options, TX, 'category');
    checkId(categoryId, 'categoryId');
    if (newParentId !== null) checkId(newParentId, 'parentId');
    const { rows } = await this.run<CategoryRecord & { cycle: boolean }>(
      sql`WITH RECURSIVE below AS (
         SELECT id FROM ${T.categories} WHERE id = ${categoryId}
         UNION
         SELECT k.id FROM ${T.categories} k JOIN below b ON k.parent_id = b.id
       ), moved AS (
         UPDATE ${T.categories} SET parent_id = ${newParentId}
          WHERE id = ${categoryId} AND (${newParentId}::uuid IS NULL OR ${newParentId}::uuid NOT IN (SELECT id FROM below))
         RETURNING *
       )
       SELECT ${this.meta.select()}, false AS cycle FROM moved
       UNION ALL
       SELECT ${this.meta.select()}, true AS cycle FROM ${T.categories}
        WHERE id = ${categoryId} AND ${newParentId}::uuid IN (SELECT id FROM below) AND NOT EXISTS (SELECT 1 FROM moved)`,
      options,
    );
    const row = rows[0];
    if (!row) throw new NotFoundError('category', `categoryId: no category ${categoryId}`, { field: 'categoryId' });
    if (row.cycle) {
      throw new ValidationError([{ path: ['parentId'], message: 'cannot move a category under itself or one of its descendants' }], {
        context: 'move category',
      });
    }
    const { cycle: _cycle, ...category } = row;
    return category as CategoryRecord;
  }
}
