import type { Engine } from '../engine/create-engine.js';
import type { QueryOptions } from '../engine/execute.js';
import type { Product } from '../models/product.js';
import { checkOptions, TX } from '../db/options.js';
import type { ProductRecord } from '../db/records.js';
import { createProductSchema, updateProductSchema } from '../db/schemas/catalog-schemas.js';
import { limitSchema, text as boundedText } from '../db/schemas/common.js';
import { z } from 'zod';
import { ALL_USERS, checkId } from '../db/scope.js';
import { sql, trigramFunction, trigramOperator } from '../db/sql.js';
import { T } from '../db/table-metadata.js';
import { parseInput } from '../db/validate.js';
import { BaseRepository } from './base-repository.js';

/** A search or look-up text: bounded, because trigram and ILIKE work grows with its length. */
const searchTextSchema = z.strictObject({ text: boundedText('searchChars') });

const SIMILARITY = trigramFunction('similarity');
const WORD_SIMILARITY = trigramFunction('word_similarity');
const SIMILAR = trigramOperator('%');
const WORD_SIMILAR = trigramOperator('<%');

/** Options of {@link ProductRepository.search}. */
export interface ProductSearchOptions extends QueryOptions {
  /** At most this many products. Default: 10, at most 1000. */
  limit?: number;
  /** Leave out products less similar than this (0..1). Default: 0.2. */
  minSimilarity?: number;
}

/** Options of {@link ProductRepository.getByCategory}. */
export interface ProductsByCategoryOptions extends QueryOptions {
  /** Include products of every category below this one. Default: false. */
  includeSubcategories?: boolean;
}

/** Products: the shared catalogue, looked up by name and by category. */
export class ProductRepository extends BaseRepository<Product, typeof createProductSchema, typeof updateProductSchema> {
  /** @internal Use `createFoodsave(engine).catalog.products`. */
  constructor(engine: Engine) {
    super({ engine, scope: ALL_USERS, table: 'products', schemas: { create: createProductSchema, update: updateProductSchema }, entity: 'product', ownerColumn: null });
  }

  /**
   * Products whose name contains `text`, case-insensitively, shortest names first. `%` and `_` in the
   * text match literally.
   *
   * @param limit - at most this many. Default: 20, at most 1000.
   */
  async findByName(text: string, limit = 20, options: QueryOptions = {}): Promise<ProductRecord[]> {
    checkOptions(options, TX, 'find products');
    parseInput(this.engine.inputBounds, limitSchema, { limit }, 'find products');
    parseInput(this.engine.inputBounds, searchTextSchema, { text }, 'find products');
    const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const { rows } = await this.run<ProductRecord>(
      sql`SELECT ${this.meta.select()} FROM ${T.products} WHERE name ILIKE ${pattern} ORDER BY length(name), name, id LIMIT ${limit}`,
      options,
    );
    return rows;
  }

  /** Products in a category (and, with `includeSubcategories`, every category below it), by name. */
  async getByCategory(categoryId: string, options: ProductsByCategoryOptions = {}): Promise<ProductRecord[]> {
    checkOptions(options, [...TX, 'includeSubcategories'], 'products by category');
    checkId(categoryId, 'categoryId');
    const query = options.includeSubcategories
      ? sql`WITH RECURSIVE tree AS (
              SELECT id FROM ${T.categories} WHERE id = ${categoryId}
              UNION SELECT k.id FROM ${T.categories} k JOIN tree t ON k.parent_id = t.id
            )
            SELECT ${this.meta.select()} FROM ${T.products} WHERE category_id IN (SELECT id FROM tree) ORDER BY name, id`
      : sql`SELECT ${this.meta.select()} FROM ${T.products} WHERE category_id = ${categoryId} ORDER BY name, id`;
    const { rows } = await this.run<ProductRecord>(query, { transaction: options.transaction });
    return rows;
  }

  /**
   * Typo-tolerant search: products whose name is similar to `text` by trigrams (pg_trgm, on a GIN
   * index), best match first, with the similarity (0..1). "tomatos" finds "Tomatoes".
   */
  async search(text: string, options: ProductSearchOptions = {}): Promise<(ProductRecord & { similarity: number })[]> {
    checkOptions(options, [...TX, 'limit', 'minSimilarity'], 'search products');
    const limit = options.limit ?? 10;
    parseInput(this.engine.inputBounds, limitSchema, { limit }, 'search products');
    const threshold = options.minSimilarity ?? 0.2;
    const { text: q } = parseInput(this.engine.inputBounds, searchTextSchema, { text }, 'search products');
    // word_similarity suits a short query against a longer name ("milk" in "Oat milk 1 l").
    const { rows } = await this.run<ProductRecord & { similarity: number }>(
      sql`SELECT ${this.meta.select()}, greatest(${SIMILARITY}(lower(name), lower(${q})), ${WORD_SIMILARITY}(lower(${q}), lower(name)))::float8 AS similarity
            FROM ${T.products}
           WHERE lower(name) ${SIMILAR} lower(${q}) OR lower(${q}) ${WORD_SIMILAR} lower(name)
           ORDER BY similarity DESC, length(name), name, id
           LIMIT ${limit}`,
      { transaction: options.transaction },
    );
    return rows.filter((r) => r.similarity >= threshold);
  }
}
