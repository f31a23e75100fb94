import { ident, sql, type Sql } from '../db/sql.js';

/**
 * The day a question about lots is asked on: `asOf`, or today on the server. A scalar sub-select, so the
 * planner computes it once, as a parameter: a bare `coalesce(…)` is not known to be leak-proof, and
 * under row-level security a condition that is not may only be checked after the policy, row by row, so
 * `expiry_date <= coalesce(…) + 3` would stop being a condition on the (user_id, expiry_date) index
 * (every lot of the user read instead of those due).
 *
 * @internal
 */
export function daySql(asOf: string | null): Sql {
  return sql`(SELECT coalesce(${asOf}::date, current_date))`;
}

/**
 * A lot's date status on `day`, in SQL: the same rule as `dateStatus` in src/values/dates.ts (a
 * property test holds them equal). Past a use-by date a lot is expired; past a best-before date only
 * overdue; otherwise fresh.
 *
 * @param alias - the lots' table alias, if any
 * @internal
 */
export function dateStatusSql(day: Sql, alias?: string): Sql {
  const c = (column: string) => (alias ? ident(alias, column) : ident(column));
  return sql`(CASE WHEN ${c('expiry_date')} IS NULL OR ${c('expiry_date')} >= ${day} THEN 'fresh'
                   WHEN ${c('date_kind')} = 'use_by' THEN 'expired' ELSE 'overdue' END)`;
}
