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
  async getByCategory(categoryId: string, options: QueryOptions & { includeSubcategories?: boolean } = {}): Promise<ProductRecord[]> {
    this.checkId(categoryId, 'categoryId');
    const sql = options.includeSubcategories
      ? `WITH RECURSIVE tree AS (
           SELECT id FROM categories WHERE id = $1
           UNION SELECT k.id FROM categories k JOIN tree t ON k.parent_id = t.id
         )
         SELECT ${this.selectList} FROM products WHERE category_id IN (SELECT id FROM tree) ORDER BY name, id`
      : `SELECT ${this.selectList} FROM products WHERE category_id = $1 ORDER BY name, id`;
    const { rows } = await this.run<ProductRecord>(sql, [categoryId], options);
    return rows;
  }

  /**
   * Typo-tolerant search: products whose name is similar to `text` by trigrams (pg_trgm, on a GIN
   * index), best match first, with the similarity (0..1). "tomatos" finds "Tomatoes".
   *
   * @example
   * ```ts
   * const [best] = await repos.products.search('tomatos');
   * ```
   */
  async search(text: string, options: QueryOptions & { limit?: number; minSimilarity?: number } = {}): Promise<(ProductRecord & { similarity: number })[]> {
    const limit = options.limit ?? 10;
    parseInput(limitSchema, { limit }, 'search products');
    const threshold = options.minSimilarity ?? 0.2;
    // word_similarity suits a short query against a longer name ("milk" in "Oat milk 1 l").
    const { rows } = await this.run<ProductRecord & { similarity: number }>(
      `SELECT ${this.selectList}, greatest(similarity(lower(name), lower($1)), word_similarity(lower($1), lower(name)))::float8 AS similarity
         FROM products
        WHERE lower(name) % lower($1) OR lower($1) <% lower(name)
        ORDER BY similarity DESC, length(name), name, id
        LIMIT $2`,
      [text, limit],
      options,
    );
    return rows.filter((r) => r.similarity >= threshold);
  }
}
