import type { Transaction } from 'sequelize';
import { z } from 'zod';
import type { Engine } from '../engine/create-engine.js';
import type { QueryOptions } from '../engine/sql.js';
import { inTransaction } from '../engine/with-transaction.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { WASTE_REASONS, type WasteReason } from '../models/pantry-event.js';
import type { DateOnlyString } from '../models/types.js';
import { runStatement } from '../repositories/run-statement.js';
import type { PantryItemRecord } from '../repositories/pantry-item-repository.js';
import { dateOnly, decimal, uuid } from '../repositories/schemas/common.js';
import { parseInput } from '../repositories/validate.js';
import { EVENT_COLUMNS, journalPantryEvent, LOT_COLUMNS, type EventInput, type PantryEventRecord } from './pantry-journal.js';
import { Quantity } from './quantity.js';
import { createUnitRegistry, productStorageInfoSchema, type ProductStorageInfo, type UnitRegistry } from './units.js';

export type { PantryEventRecord };

/** A lot and the journal entry its change wrote. */
export interface LotChange {
  lot: PantryItemRecord;
  event: PantryEventRecord;
}

export const addPantryItemSchema = z.strictObject({
  userId: uuid(),
  productId: uuid(),
  quantity: decimal(10, 3, { nonNegative: true }),
  /** Any alias (`"Kg"`, `"szt"`); stored as the canonical unit. */
  unit: z.string().trim().min(1, 'must not be empty'),
  /** Default: purchase date + the product's `storage_info.shelfLifeDays`, or none. */
  expiryDate: dateOnly().nullable().optional(),
  /** Default: today (the server's date). */
  purchaseDate: dateOnly().optional(),
  /** Price per unit; or give `totalPrice` and it is derived. */
  unitPrice: decimal(12, 4, { nonNegative: true }).optional(),
  totalPrice: decimal(10, 2, { nonNegative: true }).optional(),
  storeName: z.string().max(255).nullable().optional(),
  notes: z.string().nullable().optional(),
  receiptItemId: uuid().nullable().optional(),
});
export type AddPantryItemInput = z.input<typeof addPantryItemSchema>;

const amountSchema = z.strictObject({ quantity: decimal(10, 3, { nonNegative: true }), unit: z.string().trim().min(1) });
const reasonSchema = z.enum(WASTE_REASONS, { error: `must be one of ${WASTE_REASONS.join(', ')}` });
const rangeSchema = z.strictObject({ from: dateOnly(), to: dateOnly() });
const daysSchema = z.strictObject({ days: z.number().int().min(0).max(3650) });
// Built once: these run on every ledger call.
const discardSchema = z.strictObject({ reason: reasonSchema });
const undoSchema = z.strictObject({ userId: uuid(), eventId: uuid() });
const stockSchema = z.strictObject({ userId: uuid(), receiptId: uuid() });
const productIdSchema = z.strictObject({ productId: uuid() });
const cookSchema = z.strictObject({ userId: uuid(), recipeId: uuid(), servings: z.number().positive('must be positive').optional() });
const lotIdSchema = z.strictObject({ userId: uuid(), itemId: uuid() });
const userIdSchema = z.strictObject({ userId: uuid() });
const asOfSchema = z.strictObject({ asOf: dateOnly() });

/** Options for {@link PantryLedger}. */
export interface PantryLedgerOptions {
  /** The unit registry (for your aliases). Default: `createUnitRegistry()`. */
  units?: UnitRegistry;
}

/** Options of the ledger's reads. */
export interface AsOfOptions extends QueryOptions {
  /** The day to count from, `YYYY-MM-DD`. Default: the server's current date. */
  asOf?: DateOnlyString;
}

/** Waste and consumption, from the journal. Money in exact decimal strings. */
export interface WasteStats {
  totals: { wastedValue: string; consumedValue: string; purchasedValue: string; wastedShare: string | null };
  byCategory: { categoryId: string | null; categoryName: string | null; wastedValue: string; consumedValue: string; quantities: QuantityByUnit[] }[];
  byMonth: { month: string; wastedValue: string; consumedValue: string; purchasedValue: string; quantities: QuantityByUnit[] }[];
  byReason: { reason: WasteReason; wastedValue: string; events: number }[];
}
export interface QuantityByUnit {
  unit: string | null;
  wasted: string;
  consumed: string;
}

/** Use-first order (Grocy's, without locations): earliest expiry, then opened lots, then the oldest purchase. */
const USE_FIRST = 'expiry_date NULLS LAST, (opened_at IS NULL), coalesce(purchase_date, added_date::date), added_date, id';

/**
 * The pantry as a ledger of lots. Every change to a lot writes its `pantry_events` entry in the same
 * transaction, with the lot's previous state, so `undoEvent` can reverse it. Quantities are exact and
 * unit-aware; money values come from each lot's price.
 *
 * @example
 * ```ts
 * const ledger = new PantryLedger(engine);
 * const { lot } = await ledger.addItem({ userId, productId: milkId, quantity: '1', unit: 'l', totalPrice: '3.49' });
 * await ledger.consume(userId, lot.id, '250', 'ml');
 * await ledger.discard(userId, lot.id, '0.75', 'l', 'spoiled'); // worth 2.62
 * ```
 */
export class PantryLedger {
  readonly units: UnitRegistry;

  constructor(
    private readonly engine: Engine,
    options: PantryLedgerOptions = {},
  ) {
    this.units = options.units ?? createUnitRegistry();
  }

  /**
   * Adds a lot. Without an expiry date, it is the purchase date plus the product's shelf life
   * (`storage_info.shelfLifeDays`). Logs an `added` event worth the lot's price.
   *
   * @throws {ValidationError} for bad input or an unknown unit; {NotFoundError} for a missing product.
   */
  async addItem(input: AddPantryItemInput, options: QueryOptions = {}): Promise<LotChange> {
    const data = parseInput(addPantryItemSchema, input, 'add pantry item');
    const unit = this.units.normalize(data.unit);
    const quantity = Quantity.of(data.quantity);
    let unitPrice = data.unitPrice ?? null;
    if (unitPrice === null && data.totalPrice !== undefined) {
      unitPrice = quantity.isZero() ? null : Quantity.of(data.totalPrice).div(quantity).toDecimal(4);
    }
    return this.inTransaction(options, async (transaction) => {
      const info = await this.storageInfo(data.productId, transaction);
      const { rows } = await this.sql<PantryItemRecord>(
        `INSERT INTO pantry_items (user_id, product_id, quantity, unit, expiry_date, notes, purchase_date, unit_price, store_name, receipt_item_id)
         VALUES ($1, $2, $3, $4,
                 CASE WHEN $5::boolean THEN $6::date
                      WHEN $7::int IS NULL THEN NULL
                      ELSE coalesce($8::date, current_date) + $7::int END,
                 $9, coalesce($8::date, current_date), $10, $11, $12)
         RETURNING ${LOT_COLUMNS}`,
        [
          data.userId,
          data.productId,
          quantity.toDecimal(3),
          unit,
          data.expiryDate !== undefined,
          data.expiryDate ?? null,
          info.shelfLifeDays ?? null,
          data.purchaseDate ?? null,
          data.notes ?? null,
          unitPrice,
          data.storeName ?? null,
          data.receiptItemId ?? null,
        ],
        transaction,
      );
      const lot = rows[0]!;
      const value = data.totalPrice ?? (unitPrice === null ? null : quantity.mul(unitPrice).toDecimal(2));
      const event = await this.journal({ userId: data.userId, lot, type: 'added', quantity: lot.quantity!, value, receiptItemId: data.receiptItemId ?? null }, transaction);
      return { lot, event };
    });
  }

  /**
   * Uses part of a lot. The amount may be in any unit that converts to the lot's.
   *
   * @throws {ConflictError} when the lot holds less; nothing changes. {UnitMismatchError} when the units do not convert.
   */
  async consume(userId: string, itemId: string, quantity: string, unit: string, options: QueryOptions & { recipeId?: string } = {}): Promise<LotChange> {
    return this.take(userId, itemId, quantity, unit, 'consumed', undefined, options);
  }

  /**
   * Throws part of a lot away, with a reason. The event carries the money value of what was wasted.
   *
   * @throws {ConflictError} when the lot holds less; nothing changes.
   */
  async discard(userId: string, itemId: string, quantity: string, unit: string, reason: WasteReason, options: QueryOptions = {}): Promise<LotChange> {
    parseInput(discardSchema, { reason }, 'discard');
    return this.take(userId, itemId, quantity, unit, 'wasted', reason, options);
  }

  /**
   * Marks a lot opened. When the product keeps for less once opened (`openedShelfLifeDays`), the expiry
   * moves up to today plus that, never later than it was.
   */
  async open(userId: string, itemId: string, options: AsOfOptions = {}): Promise<LotChange> {
    return this.inTransaction(options, async (transaction) => {
      const lot = await this.lockLot(userId, itemId, transaction);
      if (lot.openedAt) throw new ConflictError('This lot is already open', { field: 'itemId' });
      const info = await this.storageInfo(lot.productId as string, transaction);
      const { rows } = await this.sql<PantryItemRecord>(
        `UPDATE pantry_items SET opened_at = now(),
                expiry_date = CASE WHEN $2::int IS NULL THEN expiry_date
                                   ELSE least(coalesce(expiry_date, 'infinity'::date), coalesce($3::date, current_date) + $2::int) END
          WHERE id = $1 RETURNING ${LOT_COLUMNS}`,
        [itemId, info.openedShelfLifeDays ?? null, options.asOf ?? null],
        transaction,
      );
      const event = await this.journal({ userId, lot, type: 'opened', quantity: '0', value: null }, transaction);
      return { lot: rows[0]!, event };
    });
  }

  /**
   * Reverses the last change of a lot: restores its quantity, expiry and opened state as they were
   * before the event (undoing `added` removes the lot), and marks the event undone.
   *
   * @throws {ConflictError} unless it is the lot's latest change that is not undone yet.
   * @throws {NotFoundError} when the event is not this user's.
   */
  async undoEvent(userId: string, eventId: string, options: QueryOptions = {}): Promise<PantryEventRecord> {
    parseInput(undoSchema, { userId, eventId }, 'undo');
    return this.inTransaction(options, async (transaction) => {
      const { rows } = await this.sql<PantryEventRecord>(
        `SELECT ${EVENT_COLUMNS} FROM pantry_events WHERE id = $1 AND user_id = $2 FOR UPDATE`,
        [eventId, userId],
        transaction,
      );
      const event = rows[0];
      if (!event) throw new NotFoundError('pantry event', `eventId: no pantry event ${eventId}`, { field: 'eventId' });
      if (event.undoneAt) throw new ConflictError('This event is already undone', { field: 'eventId' });
      if (!event.pantryItemId) throw new ConflictError('The lot of this event no longer exists', { field: 'eventId' });
      await this.lockLot(userId, event.pantryItemId as string, transaction);
      const latest = await this.sql<{ id: string }>(
        `SELECT id FROM pantry_events WHERE pantry_item_id = $1 AND undone_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 1`,
        [event.pantryItemId],
        transaction,
      );
      if (latest.rows[0]?.id !== event.id) {
        throw new ConflictError('Only the last change of a lot can be undone; undo the later ones first', { field: 'eventId' });
      }
      if (event.eventType === 'added') {
        await this.sql('DELETE FROM pantry_items WHERE id = $1', [event.pantryItemId], transaction);
      } else {
        await this.sql(
          'UPDATE pantry_items SET quantity = $2, expiry_date = $3, opened_at = $4 WHERE id = $1',
          [event.pantryItemId, event.previousQuantity, event.previousExpiryDate, event.previousOpenedAt],
          transaction,
        );
      }
      const undone = await this.sql<PantryEventRecord>(
        `UPDATE pantry_events SET undone_at = now() WHERE id = $1 RETURNING ${EVENT_COLUMNS}`,
        [event.id],
        transaction,
      );
      return undone.rows[0]!;
    });
  }

  /**
   * Turns every receipt line that is matched to a product (and not stocked yet) into a pantry lot, with
   * its price, store and purchase date, logging an `added` event per lot, in one transaction. Lines
   * without a product, or with a negative total (discounts), are skipped. Units default to `pcs`.
   *
   * @throws {NotFoundError} when the receipt is not the user's.
   * @example
   * ```ts
   * const lots = await ledger.stockFromReceipt(userId, receipt.id);
   * ```
   */
  async stockFromReceipt(userId: string, receiptId: string, options: QueryOptions = {}): Promise<LotChange[]> {
    parseInput(stockSchema, { userId, receiptId }, 'stock from receipt');
    return this.inTransaction(options, async (transaction) => {
      const receipt = await this.sql<{ storeName: string | null; purchaseDate: string | null }>(
        'SELECT store_name AS "storeName", purchase_date AS "purchaseDate" FROM receipts WHERE id = $1 AND user_id = $2 FOR UPDATE',
        [receiptId, userId],
        transaction,
      );
      if (!receipt.rows[0]) throw new NotFoundError('receipt', `receiptId: no receipt ${receiptId}`, { field: 'receiptId' });
      const { storeName, purchaseDate } = receipt.rows[0];
      const { rows: lines } = await this.sql<{ id: string; productId: string; quantity: string; unit: string | null; totalPrice: string | null }>(
        `SELECT i.id, i.product_id AS "productId", i.quantity, i.unit, i.total_price AS "totalPrice"
           FROM receipt_items i
          WHERE i.receipt_id = $1 AND i.product_id IS NOT NULL AND coalesce(i.total_price, 0) >= 0 AND i.quantity > 0
            AND NOT EXISTS (SELECT 1 FROM pantry_items p WHERE p.receipt_item_id = i.id)
          ORDER BY i.created_at, i.id`,
        [receiptId],
        transaction,
      );
      const changes: LotChange[] = [];
      for (const line of lines) {
        changes.push(
          await this.addItem(
            {
              userId,
              productId: line.productId,
              quantity: line.quantity,
              unit: line.unit ?? 'pcs',
              ...(purchaseDate ? { purchaseDate } : {}),
              ...(line.totalPrice !== null ? { totalPrice: line.totalPrice } : {}),
              storeName,
              receiptItemId: line.id,
            },
            { transaction },
          ),
        );
      }
      return changes;
    });
  }

  /**
   * Lots still holding something that expire within `days` days of `asOf` (not already expired), in
   * use-first order.
   */
  async getExpiringSoon(userId: string, days: number, options: AsOfOptions = {}): Promise<PantryItemRecord[]> {
    parseInput(daysSchema, { days }, 'expiring soon');
    const { rows } = await this.sql<PantryItemRecord>(
      `SELECT ${LOT_COLUMNS} FROM pantry_items
        WHERE user_id = $1 AND quantity > 0
          AND expiry_date >= coalesce($3::date, current_date) AND expiry_date <= coalesce($3::date, current_date) + $2::int
        ORDER BY ${USE_FIRST}`,
      [this.userId(userId), days, this.asOf(options)],
      options.transaction,
    );
    return rows;
  }

  /** Lots still holding something whose expiry date has passed, oldest expiry first. */
  async getExpired(userId: string, options: AsOfOptions = {}): Promise<PantryItemRecord[]> {
    const { rows } = await this.sql<PantryItemRecord>(
      `SELECT ${LOT_COLUMNS} FROM pantry_items
        WHERE user_id = $1 AND quantity > 0 AND expiry_date < coalesce($2::date, current_date)
        ORDER BY ${USE_FIRST}`,
      [this.userId(userId), this.asOf(options)],
      options.transaction,
    );
    return rows;
  }

  /** A user's lots that still hold something, optionally of one product, in use-first order. */
  async getUseFirst(userId: string, productId?: string, options: QueryOptions = {}): Promise<PantryItemRecord[]> {
    if (productId !== undefined) parseInput(productIdSchema, { productId }, 'use first');
    const { rows } = await this.sql<PantryItemRecord>(
      `SELECT ${LOT_COLUMNS} FROM pantry_items
        WHERE user_id = $1 AND quantity > 0 AND ($2::uuid IS NULL OR product_id = $2)
        ORDER BY ${USE_FIRST}`,
      [this.userId(userId), productId ?? null],
      options.transaction,
    );
    return rows;
  }

  /**
   * Takes an amount of a product from the user's lots in use-first order, across as many lots as it
   * needs, in one transaction.
   *
   * @throws {ConflictError} when all lots together hold less; nothing changes.
   */
  async consumeProduct(
    userId: string,
    productId: string,
    quantity: string,
    unit: string,
    options: QueryOptions & { recipeId?: string } = {},
  ): Promise<LotChange[]> {
    parseInput(productIdSchema, { productId }, 'consume product');
    const amount = parseInput(amountSchema, { quantity, unit }, 'consume product');
    return this.inTransaction(options, async (transaction) => {
      const { rows: lots } = await this.sql<PantryItemRecord>(
        `SELECT ${LOT_COLUMNS} FROM pantry_items WHERE user_id = $1 AND product_id = $2 AND quantity > 0
          ORDER BY ${USE_FIRST} FOR UPDATE`,
        [this.userId(userId), productId],
        transaction,
      );
      const info = await this.storageInfo(productId, transaction);
      let remaining = Quantity.of(amount.quantity);
      const changes: LotChange[] = [];
      for (const lot of lots) {
        if (remaining.isZero()) break;
        const lotUnit = this.lotUnit(lot);
        const wanted = this.units.convert(remaining, amount.unit, lotUnit, info.units);
        const taken = wanted.min(Quantity.of(lot.quantity!));
        changes.push(await this.applyTake(userId, lot, taken, 'consumed', undefined, options.recipeId ?? null, transaction));
        remaining = remaining.sub(this.units.convert(taken, lotUnit, amount.unit, info.units));
      }
      if (remaining.cmp(Quantity.of('0.0005')) > 0) {
        throw new ConflictError(`Not enough in the pantry: ${remaining.toDecimal(3)} ${this.units.normalize(amount.unit)} short`, { field: 'quantity' });
      }
      return changes;
    });
  }

  /**
   * Cooks a recipe: consumes each ingredient, scaled from the recipe's servings to `servings`, from the
   * user's lots in use-first order, in one transaction, logging `consumed` events that point to the
   * recipe. Ingredients without a quantity are not deducted.
   *
   * @throws {ConflictError} when the pantry lacks an ingredient; nothing is consumed.
   * @example
   * ```ts
   * await ledger.cookRecipe(userId, omeletteId, 2);
   * ```
   */
  async cookRecipe(userId: string, recipeId: string, servings?: number, options: QueryOptions = {}): Promise<LotChange[]> {
    parseInput(
      cookSchema,
      { userId, recipeId, ...(servings === undefined ? {} : { servings }) },
      'cook recipe',
    );
    return this.inTransaction(options, async (transaction) => {
      const recipe = await this.sql<{ servings: number | null }>('SELECT servings FROM recipes WHERE id = $1', [recipeId], transaction);
      if (!recipe.rows[0]) throw new NotFoundError('recipe', `recipeId: no recipe ${recipeId}`, { field: 'recipeId' });
      const base = recipe.rows[0].servings ?? 1;
      const scale = Quantity.of(String(servings ?? base)).div(String(base));
      const { rows: ingredients } = await this.sql<{ productId: string; quantity: string; unit: string | null }>(
        `SELECT product_id AS "productId", quantity, unit FROM recipe_ingredients
          WHERE recipe_id = $1 AND quantity IS NOT NULL AND quantity > 0 AND product_id IS NOT NULL ORDER BY id`,
        [recipeId],
        transaction,
      );
      const changes: LotChange[] = [];
      for (const ingredient of ingredients) {
        const amount = Quantity.of(ingredient.quantity).mul(scale).toDecimal(3);
        changes.push(
          ...(await this.consumeProduct(userId, ingredient.productId, amount, ingredient.unit ?? 'pcs', { transaction, recipeId })),
        );
      }
      return changes;
    });
  }

  /**
   * Waste and consumption between two dates (inclusive), from the journal (undone events excluded):
   * money wasted and consumed by category, by month and by reason, quantities per unit, and the share of
   * purchases (by value) that was wasted. This is the number the product exists to bring down.
   */
  async getWasteStats(userId: string, from: DateOnlyString, to: DateOnlyString, options: QueryOptions = {}): Promise<WasteStats> {
    parseInput(rangeSchema, { from, to }, 'waste stats');
    const values = [this.userId(userId), from, to];
    const base = `FROM pantry_events e LEFT JOIN products p ON p.id = e.product_id LEFT JOIN categories c ON c.id = p.category_id
      WHERE e.user_id = $1 AND e.undone_at IS NULL AND e.created_at >= $2::date AND e.created_at < $3::date + 1`;
    // Event types are constants of this file, never input.
    const money = (type: string, e = 'e') => `coalesce(sum(${e}.value) FILTER (WHERE ${e}.event_type = '${type}'), 0)::numeric(12,2)::text`;
    const qty = (type: string, e = 'e') => `coalesce(sum(${e}.quantity) FILTER (WHERE ${e}.event_type = '${type}'), 0)::numeric(12,3)::text`;
    const [totals, byCategory, byMonth, byReason] = await Promise.all([
      this.sql<WasteStats['totals']>(
        `SELECT ${money('wasted')} AS "wastedValue", ${money('consumed')} AS "consumedValue", ${money('added')} AS "purchasedValue",
                CASE WHEN coalesce(sum(e.value) FILTER (WHERE e.event_type = 'added'), 0) = 0 THEN NULL
                     ELSE round(coalesce(sum(e.value) FILTER (WHERE e.event_type = 'wasted'), 0)
                                / sum(e.value) FILTER (WHERE e.event_type = 'added'), 4)::text END AS "wastedShare"
           ${base}`,
        values,
        options.transaction,
      ),
      this.sql<WasteStats['byCategory'][number]>(
        `SELECT k.category_id AS "categoryId", k.category_name AS "categoryName", k.wasted AS "wastedValue", k.consumed AS "consumedValue",
                k.quantities
           FROM (SELECT c.id AS category_id, c.name AS category_name, ${money('wasted')} AS wasted, ${money('consumed')} AS consumed,
                        (SELECT json_agg(json_build_object('unit', u.unit, 'wasted', u.w, 'consumed', u.c) ORDER BY u.unit NULLS LAST)
                           FROM (SELECT e2.unit, ${qty('wasted', 'e2')} AS w, ${qty('consumed', 'e2')} AS c
                                   FROM pantry_events e2 LEFT JOIN products p2 ON p2.id = e2.product_id
                                  WHERE e2.user_id = $1 AND e2.undone_at IS NULL AND e2.created_at >= $2::date AND e2.created_at < $3::date + 1
                                    AND e2.event_type IN ('wasted', 'consumed') AND p2.category_id IS NOT DISTINCT FROM c.id
                                  GROUP BY e2.unit) u) AS quantities
                   ${base} AND e.event_type IN ('wasted', 'consumed') GROUP BY c.id, c.name) k
          ORDER BY k.wasted::numeric DESC, k.category_name NULLS LAST`,
        values,
        options.transaction,
      ),
      this.sql<WasteStats['byMonth'][number]>(
        `SELECT to_char(m.month, 'YYYY-MM') AS month, m.wasted AS "wastedValue", m.consumed AS "consumedValue", m.purchased AS "purchasedValue",
                (SELECT coalesce(json_agg(json_build_object('unit', u.unit, 'wasted', u.w, 'consumed', u.c) ORDER BY u.unit NULLS LAST), '[]')
                   FROM (SELECT e2.unit, ${qty('wasted', 'e2')} AS w, ${qty('consumed', 'e2')} AS c
                           FROM pantry_events e2
                          WHERE e2.user_id = $1 AND e2.undone_at IS NULL AND date_trunc('month', e2.created_at) = m.month
                            AND e2.created_at >= $2::date AND e2.created_at < $3::date + 1 AND e2.event_type IN ('wasted', 'consumed')
                          GROUP BY e2.unit) u) AS quantities
           FROM (SELECT date_trunc('month', e.created_at) AS month, ${money('wasted')} AS wasted, ${money('consumed')} AS consumed,
                        ${money('added')} AS purchased
                   ${base} GROUP BY 1) m
          ORDER BY m.month`,
        values,
        options.transaction,
      ),
      this.sql<WasteStats['byReason'][number]>(
        `SELECT e.waste_reason AS reason, coalesce(sum(e.value), 0)::numeric(12,2)::text AS "wastedValue", count(*)::int AS events
           ${base} AND e.event_type = 'wasted' GROUP BY e.waste_reason ORDER BY sum(e.value) DESC NULLS LAST, e.waste_reason`,
        values,
        options.transaction,
      ),
    ]);
    return {
      totals: totals.rows[0]!,
      byCategory: byCategory.rows.map((r) => ({ ...r, quantities: r.quantities ?? [] })),
      byMonth: byMonth.rows,
      byReason: byReason.rows,
    };
  }

  private async take(
    userId: string,
    itemId: string,
    quantity: string,
    unit: string,
    type: 'consumed' | 'wasted',
    reason: WasteReason | undefined,
    options: QueryOptions & { recipeId?: string },
  ): Promise<LotChange> {
    const amount = parseInput(amountSchema, { quantity, unit }, type === 'wasted' ? 'discard' : 'consume');
    return this.inTransaction(options, async (transaction) => {
      const lot = await this.lockLot(userId, itemId, transaction);
      const info = await this.storageInfo(lot.productId as string, transaction);
      const taken = this.units.convert(amount.quantity, amount.unit, this.lotUnit(lot), info.units);
      if (taken.cmp(Quantity.of(lot.quantity!)) > 0) {
        throw new ConflictError(
          `Only ${Quantity.of(lot.quantity!).toDecimal()} ${this.lotUnit(lot)} left in this lot; cannot take ${taken.toDecimal(3)}`,
          { field: 'quantity' },
        );
      }
      return this.applyTake(userId, lot, taken, type, reason, options.recipeId ?? null, transaction);
    });
  }

  private async applyTake(
    userId: string,
    lot: PantryItemRecord,
    taken: Quantity,
    type: 'consumed' | 'wasted',
    reason: WasteReason | undefined,
    recipeId: string | null,
    transaction: Transaction,
  ): Promise<LotChange> {
    const left = Quantity.of(lot.quantity!).sub(taken);
    const { rows } = await this.sql<PantryItemRecord>(
      `UPDATE pantry_items SET quantity = $2 WHERE id = $1 RETURNING ${LOT_COLUMNS}`,
      [lot.id, (left.isNegative() ? Quantity.ZERO : left).toDecimal(3)],
      transaction,
    );
    const value = lot.unitPrice === null ? null : taken.mul(lot.unitPrice).toDecimal(2);
    const event = await this.journal({ userId, lot, type, quantity: taken.toDecimal(3), value, reason, recipeId }, transaction);
    return { lot: rows[0]!, event };
  }

  private journal(e: EventInput, transaction: Transaction): Promise<PantryEventRecord> {
    return journalPantryEvent(this.engine, e, transaction);
  }

  private async lockLot(userId: string, itemId: string, transaction: Transaction): Promise<PantryItemRecord> {
    parseInput(lotIdSchema, { userId, itemId }, 'pantry item');
    const { rows } = await this.sql<PantryItemRecord>(
      `SELECT ${LOT_COLUMNS} FROM pantry_items WHERE id = $1 AND user_id = $2 FOR UPDATE`,
      [itemId, userId],
      transaction,
    );
    if (!rows[0]) throw new NotFoundError('pantry item', `itemId: no pantry item ${itemId}`, { field: 'itemId' });
    return rows[0];
  }

  private async storageInfo(productId: string, transaction: Transaction | null | undefined): Promise<ProductStorageInfo> {
    const { rows } = await this.sql<{ info: unknown }>('SELECT storage_info AS info FROM products WHERE id = $1', [productId], transaction);
    if (!rows[0]) throw new NotFoundError('product', `productId: no product ${productId}`, { field: 'productId' });
    const parsed = productStorageInfoSchema.safeParse(rows[0].info ?? {});
    if (!parsed.success) {
      throw new ValidationError(parsed.error.issues.map((i) => ({ path: ['storageInfo', ...i.path.map(String)], message: i.message })), {
        context: `product ${productId}`,
      });
    }
    return parsed.data;
  }

  private lotUnit(lot: PantryItemRecord): string {
    if (!lot.unit) throw new ValidationError([{ path: ['unit'], message: 'this lot has no unit; set one before taking from it' }]);
    return lot.unit;
  }

  private userId(userId: string): string {
    parseInput(userIdSchema, { userId }, 'pantry');
    return userId;
  }

  private asOf(options: AsOfOptions): string | null {
    if (options.asOf === undefined) return null;
    parseInput(asOfSchema, { asOf: options.asOf }, 'pantry');
    return options.asOf;
  }

  private sql<R extends Record<string, unknown>>(text: string, values: unknown[], transaction: Transaction | null | undefined) {
    return runStatement<R>(this.engine, 'pantry item', text, values, { transaction });
  }

  private inTransaction<T>(options: QueryOptions, fn: (transaction: Transaction) => Promise<T>): Promise<T> {
    return inTransaction(this.engine, options.transaction, fn);
  }
}
