import { ident, sql, type Sql } from '../db/sql.js';

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
