import type { Transaction } from 'sequelize';
import type { Engine } from '../engine/create-engine.js';
import type { PantryEvent, WasteReason } from '../models/pantry-event.js';
import type { RecordOf } from '../repositories/base-repository.js';
import { runStatement } from '../repositories/run-statement.js';
import type { PantryItemRecord } from '../repositories/pantry-item-repository.js';

export type PantryEventRecord = RecordOf<PantryEvent>;

/** @internal */
export const LOT_COLUMNS = `id, user_id AS "userId", product_id AS "productId", quantity, unit, expiry_date AS "expiryDate",
  added_date AS "addedDate", notes, purchase_date AS "purchaseDate", opened_at AS "openedAt", unit_price AS "unitPrice",
  store_name AS "storeName", receipt_item_id AS "receiptItemId"`;

/** @internal */
export const EVENT_COLUMNS = `id, user_id AS "userId", pantry_item_id AS "pantryItemId", product_id AS "productId", event_type AS "eventType",
  quantity, unit, value, waste_reason AS "wasteReason", receipt_item_id AS "receiptItemId", recipe_id AS "recipeId",
  previous_quantity AS "previousQuantity", previous_expiry_date AS "previousExpiryDate", previous_opened_at AS "previousOpenedAt",
  undone_at AS "undoneAt", created_at AS "createdAt"`;

/** One journal entry to write. `lot` is the lot as it was before the change. @internal */
export interface EventInput {
  userId: string;
  lot: PantryItemRecord;
  type: PantryEvent['eventType'];
  quantity: string;
  value: string | null;
  reason?: WasteReason;
  recipeId?: string | null;
  receiptItemId?: string | null;
}

/**
 * Writes one `pantry_events` row in the caller's transaction, with the lot's previous state so the
 * change can be undone. Every path that changes a lot goes through here.
 *
 * @internal
 */
export async function journalPantryEvent(engine: Engine, e: EventInput, transaction: Transaction): Promise<PantryEventRecord> {
  const previous = e.type !== 'added';
  const { rows } = await runStatement<PantryEventRecord>(
    engine,
    'pantry event',
    `INSERT INTO pantry_events (user_id, pantry_item_id, product_id, event_type, quantity, unit, value, waste_reason,
                                receipt_item_id, recipe_id, previous_quantity, previous_expiry_date, previous_opened_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     RETURNING ${EVENT_COLUMNS}`,
    [
      e.userId,
      e.lot.id,
      e.lot.productId,
      e.type,
      e.quantity,
      e.lot.unit,
      e.value,
      e.reason ?? null,
      e.receiptItemId ?? null,
      e.recipeId ?? null,
      previous ? e.lot.quantity : null,
      previous ? e.lot.expiryDate : null,
      previous ? e.lot.openedAt : null,
    ],
    { transaction },
  );
  return rows[0]!;
}
