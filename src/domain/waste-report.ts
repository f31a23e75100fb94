import type { Engine } from '../engine/create-engine.js';
import type { QueryOptions } from '../engine/execute.js';
import type { WasteReason } from '../models/pantry-event.js';
import type { DateStatus } from '../values/dates.js';
import { checkOptions, TX } from '../db/options.js';
import { runStatement } from '../db/run-statement.js';
import { dateRangeSchema, type DateRange } from '../db/schemas/common.js';
import type { Scope } from '../db/scope.js';
import { raw, sql, type Sql } from '../db/sql.js';
import { T } from '../db/table-metadata.js';
import { parseInput } from '../db/validate.js';

/** Waste and consumption, from the journal. Money in exact decimal strings. */
export interface WasteStats {
  totals: { wastedValue: string; consumedValue: string; purchasedValue: string; wastedShare: string | null };
  byCategory: { categoryId: string | null; categoryName: string | null; wastedValue: string; consumedValue: string; quantities: QuantityByUnit[] }[];
  byMonth: { month: string; wastedValue: string; consumedValue: string; purchasedValue: string; quantities: QuantityByUnit[] }[];
  byReason: { reason: WasteReason; wastedValue: string; events: number }[];
  /**
   * Waste by the lot's date status when it was thrown away: `expired` (past use-by), `overdue` (past
   * best-before: still food, so the avoidable kind) and `fresh` (before its date). `null` for events
   * written before the date kinds existed.
   */
  byDateStatus: { status: DateStatus | null; wastedValue: string; events: number }[];
}

/** Quantities wasted and consumed in one unit. */
export interface QuantityByUnit {
  unit: string | null;
  wasted: string;
  consumed: string;
}

// Event types are constants of this file, never input.
const money = (type: string, e = 'e') => raw(`coalesce(sum(${e}.value) FILTER (WHERE ${e}.event_type = '${type}'), 0)::numeric(12,2)::text`);
const qty = (type: string, e = 'e') => raw(`coalesce(sum(${e}.quantity) FILTER (WHERE ${e}.event_type = '${type}'), 0)::numeric(12,3)::text`);

/** Waste and consumption reports of one scope, from the pantry journal. */
export class WasteReport {
  /** @internal Use `createFoodsave(engine).forUser(id).ledger.getWasteStats`. */
  constructor(
    private readonly engine: Engine,
    private readonly scope: Scope,
  ) {}

  /**
   * Waste and consumption between two dates (inclusive), from the journal (undone events excluded):
   * money wasted and consumed by category, by month and by reason, quantities per unit, and the share of
   * purchases (by value) that was wasted. This is the number the product exists to bring down.
   */
  async getWasteStats(range: DateRange, options: QueryOptions = {}): Promise<WasteStats> {
    checkOptions(options, TX, 'waste stats');
    const { from, to } = parseInput(this.engine.inputBounds, dateRangeSchema, range, 'waste stats');
    // The bounds cast to timestamps: timestamp >= date is not a leak-proof operator, so under the
    // policies it would be checked row by row after them instead of bounding the index scan.
    const inRange = (e: string) =>
      sql`${this.scope.owns(raw(`${e}.user_id`))} AND ${raw(e)}.undone_at IS NULL AND ${raw(e)}.created_at >= ${from}::date::timestamptz AND ${raw(e)}.created_at < (${to}::date + 1)::timestamptz`;
    const base = sql`FROM ${T.pantryEvents} e LEFT JOIN ${T.products} p ON p.id = e.product_id LEFT JOIN ${T.categories} c ON c.id = p.category_id WHERE ${inRange('e')}`;
    const unitQuantities = (extra: Sql) =>
      sql`SELECT e2.unit, ${qty('wasted', 'e2')} AS w, ${qty('consumed', 'e2')} AS c FROM ${T.pantryEvents} e2 LEFT JOIN ${T.products} p2 ON p2.id = e2.product_id
           WHERE ${inRange('e2')} AND e2.event_type IN ('wasted', 'consumed') AND ${extra} GROUP BY e2.unit`;
    const run = <R extends Record<string, unknown>>(query: Sql) => runStatement<R>(this.engine, this.scope, 'pantry event', query, options);
    const [totals, byCategory, byMonth, byReason, byDateStatus] = await Promise.all([
      run<WasteStats['totals']>(
        sql`SELECT ${money('wasted')} AS "wastedValue", ${money('consumed')} AS "consumedValue", ${money('added')} AS "purchasedValue",
                   CASE WHEN coalesce(sum(e.value) FILTER (WHERE e.event_type = 'added'), 0) = 0 THEN NULL
                        ELSE round(coalesce(sum(e.value) FILTER (WHERE e.event_type = 'wasted'), 0)
                                   / sum(e.value) FILTER (WHERE e.event_type = 'added'), 4)::text END AS "wastedShare"
              ${base}`,
      ),
      run<WasteStats['byCategory'][number]>(
        sql`SELECT k.category_id AS "categoryId", k.category_name AS "categoryName", k.wasted AS "wastedValue", k.consumed AS "consumedValue",
                   k.quantities
              FROM (SELECT c.id AS category_id, c.name AS category_name, ${money('wasted')} AS wasted, ${money('consumed')} AS consumed,
                           (SELECT json_agg(json_build_object('unit', u.unit, 'wasted', u.w, 'consumed', u.c) ORDER BY u.unit NULLS LAST)
                              FROM (${unitQuantities(sql`p2.category_id IS NOT DISTINCT FROM c.id`)}) u) AS quantities
                      ${base} AND e.event_type IN ('wasted', 'consumed') GROUP BY c.id, c.name) k
             ORDER BY k.wasted::numeric DESC, k.category_name NULLS LAST`,
      ),
      run<WasteStats['byMonth'][number]>(
        sql`SELECT to_char(m.month, 'YYYY-MM') AS month, m.wasted AS "wastedValue", m.consumed AS "consumedValue", m.purchased AS "purchasedValue",
                   (SELECT coalesce(json_agg(json_build_object('unit', u.unit, 'wasted', u.w, 'consumed', u.c) ORDER BY u.unit NULLS LAST), '[]')
                      FROM (${unitQuantities(sql`date_trunc('month', e2.created_at) = m.month`)}) u) AS quantities
              FROM (SELECT date_trunc('month', e.created_at) AS month, ${money('wasted')} AS wasted, ${money('consumed')} AS consumed,
                           ${money('added')} AS purchased
                      ${base} GROUP BY 1) m
             ORDER BY m.month`,
      ),
      run<WasteStats['byReason'][number]>(
        sql`SELECT e.waste_reason AS reason, coalesce(sum(e.value), 0)::numeric(12,2)::text AS "wastedValue", count(*)::int AS events
              ${base} AND e.event_type = 'wasted' GROUP BY e.waste_reason ORDER BY sum(e.value) DESC NULLS LAST, e.waste_reason`,
      ),
      run<WasteStats['byDateStatus'][number]>(
        sql`SELECT e.date_status AS status, coalesce(sum(e.value), 0)::numeric(12,2)::text AS "wastedValue", count(*)::int AS events
              ${base} AND e.event_type = 'wasted' GROUP BY e.date_status ORDER BY sum(e.value) DESC NULLS LAST, e.date_status`,
      ),
    ]);
    return {
      totals: totals.rows[0]!,
      byCategory: byCategory.rows.map((r) => ({ ...r, quantities: r.quantities ?? [] })),
      byMonth: byMonth.rows,
      byReason: byReason.rows,
      byDateStatus: byDateStatus.rows,
    };
  }
}
