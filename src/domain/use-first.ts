import { ident, sql, type Sql } from '../db/sql.js';

/**
 * The use-first order of pantry lots (Grocy's, without locations): earliest expiry, then opened lots,
 * then the oldest purchase, then the oldest entry. Every query that draws from lots (consuming,
 * cooking, the cookable ranking, the shopping list) sorts by this one fragment.
 *
 * @param alias - the lots' table alias, if any
 * @param idColumn - the lot id column under that alias. Default: `id`.
 * @internal
 */
export function useFirstOrder(alias?: string, idColumn = 'id'): Sql {
  const c = (column: string) => (alias ? ident(alias, column) : ident(column));
  return sql`${c('expiry_date')} NULLS LAST, (${c('opened_at')} IS NULL), coalesce(${c('purchase_date')}, ${c('added_date')}::date), ${c('added_date')}, ${c(idColumn)}`;
}

