import { ident, sql, type Sql } from '../db/sql.js';

/**
 * The use-first order of pantry lots, decided here and nowhere else: every query that draws from lots
 * (consuming, cooking, the cookable ranking, the shopping list, the reads) sorts by this fragment, and
 * the allocator takes lots in the order these queries give.
 *
 * 1. Earliest expiry first: the date is what makes food waste, so it outranks everything. Grocy puts
 *    opened lots before all others; we do not, because an opened jar that keeps for weeks should not
 *    push a pack of spinach that goes off tomorrow to the back.
 * 2. Then opened lots: among lots that expire the same day, an opened one spoils faster in practice.
 * 3. Then the oldest purchase (or the oldest entry, for lots without a purchase date): first in, first out.
 * 4. Then the lot id, so the order is total and every reader agrees on ties.
 *
 * @param alias - the lots' table alias, if any
 * @param idColumn - the lot id column under that alias. Default: `id`.
 * @internal
 */
export function useFirstOrder(alias?: string, idColumn = 'id'): Sql {
  const c = (column: string) => (alias ? ident(alias, column) : ident(column));
  return sql`${c('expiry_date')} NULLS LAST, (${c('opened_at')} IS NULL), coalesce(${c('purchase_date')}, ${c('added_date')}::date), ${c('added_date')}, ${c(idColumn)}`;
}

