import type { Transaction } from 'sequelize';
import type { Engine } from '../engine/create-engine.js';
import type { PantryEvent, WasteReason } from '../models/pantry-event.js';
import type { PantryEventRecord, PantryItemRecord } from '../db/records.js';
import { runStatement } from '../db/run-statement.js';
import type { Scope } from '../db/scope.js';
import { sql } from '../db/sql.js';
import { T, tablesOf } from '../db/table-metadata.js';
import { dateStatusSql } from './lot-dates.js';

/** One journal entry to write. `lot` is the lot as it was before the change. @internal */
export interface EventInput {
  lot: PantryItemRecord;
  type: PantryEvent['eventType'];
  quantity: string;
  value: string | null;
  reason?: WasteReason;
  recipeId?: string | null;
  receiptItemId?: string | null;
}

/**
 * Writes one `pantry_events` row in the caller's transaction, for the lot's owner, with the lot's
 * previous state so the change can be undone. Every path that changes a lot goes through here: the
 * repository's plain CRUD and the ledger alike.
 *
 * @internal
 */
export async function journalPantryEvent(engine: Engine, scope: Scope, e: EventInput, transaction: Transaction): Promise<PantryEventRecord> {
  const previous = e.type !== 'added';
  const { rows } = await runStatement<PantryEventRecord>(
    engine,
    scope,
    'pantry event',
    sql`INSERT INTO ${T.pantryEvents} (user_id, pantry_item_id, product_id, event_type, quantity, unit, value, waste_reason,
                                   receipt_item_id, recipe_id, previous_quantity, previous_expiry_date, previous_opened_at, date_status)
        SELECT ${e.lot.userId}, ${e.lot.id}, ${e.lot.productId}, ${e.type}, ${e.quantity}, ${e.lot.unit}, ${e.value}, ${e.reason ?? null},
               ${e.receiptItemId ?? null}, ${e.recipeId ?? null}, ${previous ? e.lot.quantity : null},
               ${previous ? e.lot.expiryDate : null}, ${previous ? e.lot.openedAt : null}, ${dateStatusSql(sql`current_date`, 'lot')}
          FROM (SELECT ${e.lot.expiryDate}::date AS expiry_date, ${e.lot.dateKind}::text AS date_kind) lot
        RETURNING ${tablesOf(engine.models).pantryEvents.select()}`,
    { transaction },
  );
  return rows[0]!;
}
