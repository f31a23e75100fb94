import type { Engine } from '../engine/create-engine.js';
import type { QueryOptions } from '../engine/execute.js';
import { checkOptions, TX } from '../db/options.js';
import type { ReceiptItemRecord } from '../db/records.js';
import { runStatement } from '../db/run-statement.js';
import { checkId, type Scope } from '../db/scope.js';
import { ident, sql, trigramFunction, trigramOperator, type Sql } from '../db/sql.js';
import { T, tablesOf } from '../db/table-metadata.js';

const SIMILARITY = trigramFunction('similarity');
const WORD_SIMILARITY = trigramFunction('word_similarity');
const SIMILAR = trigramOperator('%');
const WORD_SIMILAR = trigramOperator('<%');

/** How a learned match keys a store: its name lower-cased, `''` when unknown. */
const storeKey = (storeName: Sql) => sql`lower(coalesce(${storeName}, ''))`;
/** How a learned match keys a receipt line: its text trimmed and lower-cased. */
const lineKey = (productName: Sql) => sql`lower(trim(${productName}))`;

/** A proposed product for an unmatched receipt line. */
export interface MatchProposal {
  receiptItemId: string;
  productName: string;
  /** `null` when nothing is similar enough. */
  productId: string | null;
  /** `learned`: this user matched this line at this store before; `similar`: by name. */
  source: 'learned' | 'similar' | null;
  /** 1 for a learned match, else the trigram similarity (0..1); `null` with no proposal. */
  similarity: number | null;
}

/** Matching receipt lines to catalogue products, learning from what the user accepts. */
export class ReceiptMatcher {
  /** @internal Use `createFoodsave(engine).forUser(id).receipts`. */
  constructor(
    private readonly engine: Engine,
    private readonly scope: Scope,
  ) {}

  /**
   * Proposes a product for every line of a receipt in scope that has none: first what this user matched
   * the same line to at the same store before (`learned`), else the most similar product name by
   * trigrams (`similar`, with its similarity), else nothing. One query; it changes nothing. A receipt
   * outside the scope has no lines to propose for.
   *
   * @example
   * ```ts
   * for (const p of await me.receipts.matchReceiptItems(receiptId)) {
   *   if (p.source === 'learned' && p.productId) await me.receipts.acceptMatch(p.receiptItemId, p.productId);
   * }
   * ```
   */
  async matchReceiptItems(receiptId: string, options: QueryOptions = {}): Promise<MatchProposal[]> {
    checkOptions(options, TX, 'match receipt');
    checkId(receiptId, 'receiptId', 'match receipt');
    const { rows } = await runStatement<MatchProposal>(
      this.engine,
      this.scope,
      'receipt',
      // The lines and their keys first (materialised), then the learned matches by those keys: joined on
      // the computed expressions themselves, the keys would not be leak-proof, and under row-level security
      // only user_id would be a condition on the matches' primary key, the rest checked on each of the
      // user's matches after the policy.
      sql`WITH line AS MATERIALIZED (
            SELECT i.id, i.product_name, i.created_at, r.user_id AS owner_id,
                   ${storeKey(ident('r', 'store_name'))} AS store_key, ${lineKey(ident('i', 'product_name'))} AS line_key
              FROM ${T.receiptItems} i JOIN ${T.receipts} r ON r.id = i.receipt_id
             WHERE i.receipt_id = ${receiptId} AND i.product_id IS NULL AND ${this.scope.owns(ident('r', 'user_id'))}
          )
          SELECT i.id AS "receiptItemId", i.product_name AS "productName",
                 coalesce(m.product_id, s.id) AS "productId",
                 CASE WHEN m.product_id IS NOT NULL THEN 'learned' WHEN s.id IS NOT NULL THEN 'similar' END AS source,
                 CASE WHEN m.product_id IS NOT NULL THEN 1 ELSE s.sim END::float8 AS similarity
            FROM line i
            LEFT JOIN ${T.productMatches} m ON m.user_id = i.owner_id AND m.store_key = i.store_key AND m.line_key = i.line_key
            LEFT JOIN LATERAL (
              SELECT p.id, greatest(${SIMILARITY}(lower(p.name), lower(i.product_name)), ${WORD_SIMILARITY}(lower(p.name), lower(i.product_name))) AS sim
                FROM ${T.products} p
               WHERE m.product_id IS NULL AND (lower(p.name) ${SIMILAR} lower(i.product_name) OR lower(p.name) ${WORD_SIMILAR} lower(i.product_name))
               ORDER BY sim DESC, length(p.name), p.id LIMIT 1
            ) s ON true
           ORDER BY i.created_at, i.id`,
      options,
    );
    return rows;
  }

  /**
   * Matches a receipt line in scope to a product and remembers it for the line's owner and store, so
   * the same line from the same store is proposed as `learned` next time. Returns the updated line, or
   * `null` when the line is not in scope.
   */
  async acceptMatch(receiptItemId: string, productId: string, options: QueryOptions = {}): Promise<ReceiptItemRecord | null> {
    checkOptions(options, TX, 'accept match');
    checkId(receiptItemId, 'receiptItemId', 'accept match');
    checkId(productId, 'productId', 'accept match');
    const items = tablesOf(this.engine.models).receiptItems;
    const { rows } = await runStatement<{ item: Record<string, unknown> }>(
      this.engine,
      this.scope,
      'receipt item',
      sql`WITH line AS (
            UPDATE ${T.receiptItems} i SET product_id = ${productId}
              FROM ${T.receipts} r
             WHERE i.id = ${receiptItemId} AND r.id = i.receipt_id AND ${this.scope.owns(ident('r', 'user_id'))}
            RETURNING i.*, r.store_name, r.user_id AS owner_id
          ), remembered AS (
            INSERT INTO ${T.productMatches} (user_id, store_key, line_key, product_id)
            SELECT owner_id, ${storeKey(ident('store_name'))}, ${lineKey(ident('product_name'))}, ${productId} FROM line
            ON CONFLICT (user_id, store_key, line_key)
            DO UPDATE SET product_id = EXCLUDED.product_id, times = product_matches.times + 1, last_used_at = now()
          )
          SELECT ${items.json('i')} AS item FROM line i`,
      options,
    );
    const row = rows[0];
    return row ? items.revive<ReceiptItemRecord>(row.item) : null;
  }
}
