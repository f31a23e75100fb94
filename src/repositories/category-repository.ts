import type { Engine } from '../engine/create-engine.js';
import type { QueryOptions } from '../engine/sql.js';
import type { Category } from '../models/category.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { BaseRepository, type RecordOf } from './base-repository.js';
import { createCategorySchema, updateCategorySchema } from './schemas/catalog-schemas.js';

export type CategoryRecord = RecordOf<Category>;
export type CategoryWithChildren = CategoryRecord & { children: CategoryRecord[] };

/** Categories: a tree through `parent_id`. */
export class CategoryRepository extends BaseRepository<Category, typeof createCategorySchema, typeof updateCategorySchema> {
  constructor(engine: Engine) {
    super(engine, engine.models.Category, { create: createCategorySchema, update: updateCategorySchema }, 'category', null);
  }

  /**
   * Top-level categories (no parent), by name.
   *
   * @example
   * ```ts
   * const roots = await repos.categories.getRoots();
   * ```
   */
  async getRoots(options: QueryOptions = {}): Promise<CategoryRecord[]> {
    const { rows } = await this.run<CategoryRecord>(`SELECT ${this.selectList} FROM categories WHERE parent_id IS NULL ORDER BY name, id`, [], options);
    return rows;
  }

  /**
   * The direct children of a category, by name.
   *
   * @example
   * ```ts
   * const kinds = await repos.categories.getChildren(dairyId);
   * ```
   */
  async getChildren(categoryId: string, options: QueryOptions = {}): Promise<CategoryRecord[]> {
    this.checkId(categoryId, 'categoryId');
    const { rows } = await this.run<CategoryRecord>(`SELECT ${this.selectList} FROM categories WHERE parent_id = $1 ORDER BY name, id`, [categoryId], options);
    return rows;
  }

  /**
   * A category with its direct children, in one statement; `null` if there is none.
   *
   * @example
   * ```ts
   * const { children } = (await repos.categories.getWithChildren(dairyId))!;
   * ```
   */
  async getWithChildren(categoryId: string, options: QueryOptions = {}): Promise<CategoryWithChildren | null> {
    this.checkId(categoryId, 'categoryId');
    const { rows } = await this.run<CategoryRecord & { children: (Omit<CategoryRecord, 'createdAt'> & { createdAt: string })[] }>(
      `SELECT ${this.selectListFor('c')},
              coalesce((SELECT json_agg(json_build_object('id', k.id, 'name', k.name, 'parentId', k.parent_id,
                          'description', k.description, 'createdAt', k.created_at) ORDER BY k.name, k.id)
                          FROM categories k WHERE k.parent_id = c.id), '[]') AS children
         FROM categories c WHERE c.id = $1`,
      [categoryId],
      options,
    );
    const row = rows[0];
    if (!row) return null;
    return { ...row, children: row.children.map((k) => ({ ...k, createdAt: new Date(k.createdAt) }) as CategoryRecord) };
  }

  /**
   * The category and every category below it, in one recursive query, each with its depth (0 for the
   * category itself), parents before children.
   *
   * @example
   * ```ts
   * const dairyAndBelow = await repos.categories.getSubtree(dairyId);
   * ```
   */
  async getSubtree(categoryId: string, options: QueryOptions = {}): Promise<(CategoryRecord & { depth: number })[]> {
    this.checkId(categoryId, 'categoryId');
    const { rows } = await this.run<CategoryRecord & { depth: number }>(
      `WITH RECURSIVE tree AS (
         SELECT c.*, 0 AS depth, ARRAY[c.name::text, c.id::text] AS path FROM categories c WHERE c.id = $1
         UNION ALL
         SELECT k.*, t.depth + 1, t.path || ARRAY[k.name::text, k.id::text] FROM categories k JOIN tree t ON k.parent_id = t.id
       )
       SELECT ${this.selectList}, depth FROM tree ORDER BY path`,
      [categoryId],
      options,
    );
    return rows;
  }

  /**
   * The category's ancestors, nearest first (its parent, then the parent's parent, ...), in one query.
   *
   * @example
   * ```ts
   * const breadcrumbs = (await repos.categories.getAncestors(goudaId)).reverse();
   * ```
   */
  async getAncestors(categoryId: string, options: QueryOptions = {}): Promise<CategoryRecord[]> {
    this.checkId(categoryId, 'categoryId');
    const { rows } = await this.run<CategoryRecord>(
      `WITH RECURSIVE up AS (
         SELECT p.*, 1 AS depth FROM categories c JOIN categories p ON p.id = c.parent_id WHERE c.id = $1
         UNION ALL
         SELECT p.*, u.depth + 1 FROM categories p JOIN up u ON p.id = u.parent_id WHERE u.depth < 100
       )
       SELECT ${this.selectList} FROM up ORDER BY depth`,
      [categoryId],
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
   * await repos.categories.move(cheeseId, dairyId);
   * ```
   */
  async move(categoryId: string, newParentId: string | null, options: QueryOptions = {}): Promise<CategoryRecord> {
    this.checkId(categoryId, 'categoryId');
    if (newParentId !== null) this.checkId(newParentId, 'parentId');
    const { rows } = await this.run<CategoryRecord & { cycle: boolean }>(
      `WITH RECURSIVE below AS (
         SELECT id FROM categories WHERE id = $1
         UNION
         SELECT k.id FROM categories k JOIN below b ON k.parent_id = b.id
       ), moved AS (
         UPDATE categories SET parent_id = $2
          WHERE id = $1 AND ($2::uuid IS NULL OR $2::uuid NOT IN (SELECT id FROM below))
         RETURNING *
       )
       SELECT ${this.selectList}, false AS cycle FROM moved
       UNION ALL
       SELECT ${this.selectList}, true AS cycle FROM categories
        WHERE id = $1 AND $2::uuid IN (SELECT id FROM below) AND NOT EXISTS (SELECT 1 FROM moved)`,
      [categoryId, newParentId],
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
