import type { Engine } from '../engine/create-engine.js';
import type { QueryOptions } from '../engine/sql.js';
import type { Category } from '../models/category.js';
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
}
