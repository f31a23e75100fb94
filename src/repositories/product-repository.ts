import type { Engine } from '../engine/create-engine.js';
import type { QueryOptions } from '../engine/sql.js';
import type { Product } from '../models/product.js';
import { BaseRepository, type RecordOf } from './base-repository.js';
import { createProductSchema, updateProductSchema } from './schemas/catalog-schemas.js';
import { limitSchema } from './schemas/common.js';
import { parseInput } from './validate.js';

export type ProductRecord = RecordOf<Product>;

/** Products: shared by all users, looked up by name and by category. */
export class ProductRepository extends BaseRepository<Product, typeof createProductSchema, typeof updateProductSchema> {
  constructor(engine: Engine) {
    super(engine, engine.models.Product, { create: createProductSchema, update: updateProductSchema }, 'product', null);
  }

  /**
   * Products whose name contains `text`, case-insensitively, shortest names first. `%` and `_` in the
   * text match literally.
   *
   * @example
   * ```ts
   * const milks = await repos.products.findByName('milk');
   * ```
   */
  async findByName(text: string, limit = 20, options: QueryOptions = {}): Promise<ProductRecord[]> {
    parseInput(limitSchema, { limit }, 'find products');
    const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const { rows } = await this.run<ProductRecord>(
      `SELECT ${this.selectList} FROM products WHERE name ILIKE $1 ORDER BY length(name), name, id LIMIT $2`,
      [pattern, limit],
      options,
    );
    return rows;
  }

  /**
   * Products directly in a category, by name.
   *
   * @example
   * ```ts
   * const dairy = await repos.products.getByCategory(dairyId);
   * ```
   */
  async getByCategory(categoryId: string, options: QueryOptions = {}): Promise<ProductRecord[]> {
    this.checkId(categoryId, 'categoryId');
    const { rows } = await this.run<ProductRecord>(
      `SELECT ${this.selectList} FROM products WHERE category_id = $1 ORDER BY name, id`,
      [categoryId],
      options,
    );
    return rows;
  }
}
