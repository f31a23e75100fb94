import type { QueryResultRow } from 'pg';
import type { Engine } from '../engine/create-engine.js';
import type { QueryOptions } from '../engine/execute.js';
import type { DecimalString } from '../models/types.js';
import { checkOptions, TX } from '../db/options.js';
import { runStatement } from '../db/run-statement.js';
import { dateRangeSchema, type DateRange } from '../db/schemas/common.js';
import type { Scope } from '../db/scope.js';
import { ident, sql, type Sql } from '../db/sql.js';
import { T } from '../db/table-metadata.js';
import { parseInput } from '../db/validate.js';

/** The document's spending statistics. Money is exact (decision 11). */
export interface SpendingStats {
  /** Sum of `total_amount`, `"0.00"` when there are no receipts. */
  totalSpent: DecimalString;
  receiptCount: number;
  /** Mean `total_amount`, rounded half away from zero to the cent; `null` when there are no receipts. */
  avgReceipt: DecimalString | null;
}

/** Spending by store, category and month. Money is exact. */
export interface SpendingBreakdown {
  byStore: { storeName: string | null; total: DecimalString; receipts: number }[];
  byCategory: { categoryId: string | null; categoryName: string | null; total: DecimalString; lines: number }[];
  byMonth: { month: string; total: DecimalString; receipts: number }[];
}

/** Spending reports of one scope, from its receipts. */
export class SpendingReport {
  /** @internal Use `createFoodsave(engine).forUser(id).receipts`. */
  constructor(
    private readonly engine: Engine,
    private readonly scope: Scope,
  ) {}

  /**
   * The document's `get_user_spending_stats`: total spent, number of receipts and average receipt for
   * purchases between two dates (inclusive), computed in SQL and returned exactly.
   *
   * @example
   * ```ts
   * const { totalSpent, receiptCount, avgReceipt } = await me.receipts.getSpendingStats({ from: '2026-11-01', to: '2026-11-30' });
   * ```
   */
  async getSpendingStats(range: DateRange, options: QueryOptions = {}): Promise<SpendingStats> {
    checkOptions(options, TX, 'spending stats');
    const { rows } = await this.run<SpendingStats>(
      sql`SELECT coalesce(sum(total_amount), 0.00)::text AS "totalSpent", count(id)::int AS "receiptCount",
                 round(avg(total_amount), 2)::text AS "avgReceipt"
            FROM ${T.receipts} r WHERE ${this.within(range, 'spending stats')}`,
      options,
    );
    return rows[0]!;
  }

  /**
   * Spending between two dates (inclusive) by store, by category and by month, exact. Store and month
   * sums use receipt totals; category sums use line totals, with the line's category or else its
   * product's.
   */
  async getSpendingBreakdown(range: DateRange, options: QueryOptions = {}): Promise<SpendingBreakdown> {
    checkOptions(options, TX, 'spending breakdown');
    const where = this.within(range, 'spending breakdown');
    const [byStore, byCategory, byMonth] = await Promise.all([
      this.run<SpendingBreakdown['byStore'][number]>(
        sql`SELECT r.store_name AS "storeName", coalesce(sum(r.total_amount), 0)::text AS total, count(*)::int AS receipts
              FROM ${T.receipts} r WHERE ${where} GROUP BY r.store_name ORDER BY sum(r.total_amount) DESC NULLS LAST, r.store_name`,
        options,
      ),
      this.run<SpendingBreakdown['byCategory'][number]>(
        sql`SELECT c.id AS "categoryId", c.name AS "categoryName", coalesce(sum(i.total_price), 0)::text AS total, count(*)::int AS lines
              FROM ${T.receipts} r JOIN ${T.receiptItems} i ON i.receipt_id = r.id
              LEFT JOIN ${T.products} p ON p.id = i.product_id
              LEFT JOIN ${T.categories} c ON c.id = coalesce(i.category_id, p.category_id)
             WHERE ${where} GROUP BY c.id, c.name ORDER BY sum(i.total_price) DESC NULLS LAST, c.name`,
        options,
      ),
      this.run<SpendingBreakdown['byMonth'][number]>(
        sql`SELECT to_char(date_trunc('month', r.purchase_date), 'YYYY-MM') AS month, coalesce(sum(r.total_amount), 0)::text AS total,
                   count(*)::int AS receipts
              FROM ${T.receipts} r WHERE ${where} GROUP BY 1 ORDER BY 1`,
        options,
      ),
    ]);
    return { byStore: byStore.rows, byCategory: byCategory.rows, byMonth: byMonth.rows };
  }

  /** The scope's receipts (aliased `r`) purchased within the range. */
  private within(range: DateRange, context: string): Sql {
    const { from, to } = parseInput(this.engine.inputBounds, dateRangeSchema, range, context);
    return sql`${this.scope.owns(ident('r', 'user_id'))} AND r.purchase_date >= ${from} AND r.purchase_date <= ${to}`;
  }

  private run<R extends QueryResultRow>(query: Sql, options: QueryOptions) {
    return runStatement<R>(this.engine, this.scope, 'receipt', query, options);
  }
}
