import type { Transaction } from 'sequelize';
import { z } from 'zod';
import type { Engine } from '../engine/create-engine.js';
import type { QueryOptions } from '../engine/execute.js';
import { inTransaction } from '../db/with-transaction.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { WASTE_REASONS, type WasteReason } from '../models/pantry-event.js';
import { DATE_KINDS, dateStatus } from '../values/dates.js';
import { Quantity } from '../values/quantity.js';
import { createUnitRegistry, type UnitRegistry } from '../values/units.js';
import { checkOptions, TX } from '../db/options.js';
import type { PantryEventRecord, PantryItemRecord } from '../db/records.js';
import { runStatement } from '../db/run-statement.js';
import { amountSchema, dateOnly, decimal, uuid, type AmountInput } from '../db/schemas/common.js';
import { checkId, type Scope } from '../db/scope.js';
import { ident, sql, type Sql } from '../db/sql.js';
import { T, tablesOf, type Tables } from '../db/table-metadata.js';
import { parseInput } from '../db/validate.js';
import { daySql } from '../repositories/lot-dates.js';
import { journalPantryEvent, type EventInput } from '../repositories/pantry-journal.js';
import type { AsOfOptions } from './pantry-lots.js';
import { allocate, type AllocationNeed } from './allocate.js';
import { asOfDay, productStorageInfo, productsStorageInfo } from './product-storage.js';
import { useFirstOrder } from './use-first.js';

/** A lot and the journal entry its change wrote. */
export interface LotChange {
  lot: PantryItemRecord;
  event: PantryEventRecord;
}

/** A new lot, for {@link PantryLedger.addItem}. */
export const addPantryItemSchema = z.strictObject({
  productId: uuid(),
  quantity: decimal(10, 3, { nonNegative: true }),
  /** Any alias (`"Kg"`, `"szt"`); stored as the canonical unit. */
  unit: z.string().trim().min(1, 'must not be empty').max(50, 'must be at most 50 characters'),
  /** Default: purchase date + the product's `storage_info.shelfLifeDays`, or none. */
  expiryDate: dateOnly().nullable().optional(),
  /** Default: today (the server's date). */
  purchaseDate: dateOnly().optional(),
  /** Price per unit; or give `totalPrice` and it is derived. */
  unitPrice: decimal(12, 4, { nonNegative: true }).optional(),
  totalPrice: decimal(10, 2, { nonNegative: true }).optional(),
  storeName: z.string().max(255, 'must be at most 255 characters').nullable().optional(),
  notes: z.string().max(10_000, 'must be at most 10000 characters').nullable().optional(),
  /** The receipt line this lot was stocked from: a line of the same user's receipt. */
  receiptItemId: uuid().nullable().optional(),
  /** What the expiry date means. Default: the product's `storage_info.dateKind`, else `use_by`. */
  dateKind: z.enum(DATE_KINDS, { error: `must be one of ${DATE_KINDS.join(', ')}` }).optional(),
});
export type AddPantryItemInput = z.input<typeof addPantryItemSchema>;

const reasonSchema = z.enum(WASTE_REASONS, { error: `must be one of ${WASTE_REASONS.join(', ')}` });
// Built once: these run on every ledger call.
const discardSchema = z.strictObject({ reason: reasonSchema });

/** Options for {@link PantryLedger}. */
export interface PantryLedgerOptions {
  /** The unit registry (for your aliases). Default: `createUnitRegistry()`. */
  units?: UnitRegistry;
}

/** Options of {@link PantryLedger.consume} and {@link PantryLedger.consumeProduct}. */
export interface ConsumeOptions extends QueryOptions {
  /** The recipe this was cooked for, recorded on the journal entry. Default: none. */
  recipeId?: string;
}


/**
 * The pantry of one scope as a ledger of lots. Every change to a lot writes its `pantry_events` entry in
 * the same transaction, with the lot's previous state, so `undoEvent` can reverse it. Quantities are
 * exact and unit-aware; money values come from each lot's price.
 *
 * @example
 * ```ts
 * const { lot } = await me.ledger.addItem({ productId: milkId, quantity: '1', unit: 'l', totalPrice: '3.49' });
 * await me.ledger.consume(lot.id, { quantity: '250', unit: 'ml' });
 * await me.ledger.discard(lot.id, { quantity: '0.75', unit: 'l' }, 'spoiled'); // worth 2.62
 * ```
 */
export class PantryLedger {
  readonly units: UnitRegistry;
  private readonly tables: Tables;
  private readonly userId: string;

  /** @internal Use `createFoodsave(engine).forUser(id).ledger`. */
  constructor(
    private readonly engine: Engine,
    /** The scope its statements run in; the cooking it serves uses the same. @internal */
    readonly scope: Scope,
    options: PantryLedgerOptions = {},
  ) {
    if (scope.userId === null) throw new Error('The pantry ledger works in a user scope');
    this.userId = scope.userId;
    this.units = options.units ?? createUnitRegistry();
    this.tables = tablesOf(engine.models);
  }

  /**
   * Adds a lot. Without an expiry date, it is the purchase date plus the product's shelf life
   * (`storage_info.shelfLifeDays`). Logs an `added` event worth the lot's price.
   *
   * @throws {ValidationError} for bad input or an unknown unit; {NotFoundError} for a missing product,
   *   or a `receiptItemId` that is not a line of this user's receipts.
   */
  async addItem(input: AddPantryItemInput, options: QueryOptions = {}): Promise<LotChange> {
    checkOptions(options, TX, 'add pantry item');
    const data = parseInput(this.engine.inputBounds, addPantryItemSchema, input, 'add pantry item');
    const unit = this.units.normalize(data.unit);
    const quantity = Quantity.of(data.quantity);
    let unitPrice = data.unitPrice ?? null;
    if (unitPrice === null && data.totalPrice !== undefined) {
      unitPrice = quantity.isZero() ? null : Quantity.of(data.totalPrice).div(quantity).toDecimal(4);
    }
    return inTransaction(this.engine, options.transaction, async (transaction) => {
      const info = await productStorageInfo(this.engine, this.scope, data.productId, transaction);
      const purchase = data.purchaseDate ?? null;
      const expiry =
        data.expiryDate !== undefined
          ? sql`${data.expiryDate}::date`
          : info.shelfLifeDays === undefined
            ? sql`NULL::date`
            : sql`coalesce(${purchase}::date, current_date) + ${info.shelfLifeDays}::int`;
      const { rows } = await this.sql<PantryItemRecord>(
        sql`INSERT INTO ${T.pantryItems} (user_id, product_id, quantity, unit, expiry_date, notes, purchase_date, unit_price, store_name, receipt_item_id, date_kind)
            VALUES (${this.userId}, ${data.productId}, ${quantity.toDecimal(3)}, ${unit}, ${expiry}, ${data.notes ?? null},
                    coalesce(${purchase}::date, current_date), ${unitPrice}, ${data.storeName ?? null}, ${data.receiptItemId ?? null}, ${data.dateKind ?? null})
            RETURNING ${this.lots()}`,
        transaction,
      );
      const lot = rows[0]!;
      const value = data.totalPrice ?? (unitPrice === null ? null : quantity.mul(unitPrice).toDecimal(2));
      const event = await this.journal({ lot, type: 'added', quantity: lot.quantity!, value, receiptItemId: data.receiptItemId ?? null }, transaction);
      return { lot, event };
    });
  }

  /**
   * Uses part of a lot. The amount may be in any unit that converts to the lot's.
   *
   * @throws {ConflictError} when the lot holds less; nothing changes. {UnitMismatchError} when the units do not convert.
   */
  async consume(itemId: string, amount: AmountInput, options: ConsumeOptions = {}): Promise<LotChange> {
    checkOptions(options, [...TX, 'recipeId'], 'consume');
    return this.take(itemId, amount, 'consumed', undefined, options);
  }

  /**
   * Throws part of a lot away, with a reason. The event carries the money value of what was wasted.
   *
   * @throws {ConflictError} when the lot holds less; nothing changes.
   */
  async discard(itemId: string, amount: AmountInput, reason: WasteReason, options: QueryOptions = {}): Promise<LotChange> {
    checkOptions(options, TX, 'discard');
    parseInput(this.engine.inputBounds, discardSchema, { reason }, 'discard');
    return this.take(itemId, amount, 'wasted', reason, options);
  }

  /**
   * Marks a lot opened. When the product keeps for less once opened (`openedShelfLifeDays`), the expiry
   * moves up to today plus that, never later than it was.
   */
  async open(itemId: string, options: AsOfOptions = {}): Promise<LotChange> {
    checkOptions(options, [...TX, 'asOf'], 'open');
    const asOf = asOfDay(options);
    return inTransaction(this.engine, options.transaction, async (transaction) => {
      const { lot } = await this.lockLot(itemId, transaction);
      if (lot.openedAt) throw new ConflictError('This lot is already open', { field: 'itemId' });
      const info = await productStorageInfo(this.engine, this.scope, lot.productId as string, transaction);
      const days = info.openedShelfLifeDays ?? null;
      const { rows } = await this.sql<PantryItemRecord>(
        sql`UPDATE ${T.pantryItems} SET opened_at = now(),
                   expiry_date = CASE WHEN ${days}::int IS NULL THEN expiry_date
                                      ELSE least(coalesce(expiry_date, 'infinity'::date), ${daySql(asOf)} + ${days}::int) END
             WHERE id = ${itemId} RETURNING ${this.lots()}`,
        transaction,
      );
      const event = await this.journal({ lot, type: 'opened', quantity: Quantity.ZERO.toStored(), value: null }, transaction);
      return { lot: rows[0]!, event };
    });
  }

  /**
   * Reverses the last change of a lot: restores its quantity, expiry and opened state as they were
   * before the event (undoing `added` removes the lot), and marks the event undone.
   *
   * @throws {ConflictError} unless it is the lot's latest change that is not undone yet.
   * @throws {NotFoundError} when the event is not in this scope.
   */
  async undoEvent(eventId: string, options: QueryOptions = {}): Promise<PantryEventRecord> {
    checkOptions(options, TX, 'undo');
    checkId(eventId, 'eventId', 'undo');
    return inTransaction(this.engine, options.transaction, async (transaction) => {
      const events = this.tables.pantryEvents;
      const { rows } = await this.sql<PantryEventRecord>(
        sql`SELECT ${events.select()} FROM ${T.pantryEvents} WHERE id = ${eventId} AND ${this.owns()} FOR UPDATE`,
        transaction,
      );
      const event = rows[0];
      if (!event) throw new NotFoundError('pantry event', `eventId: no pantry event ${eventId}`, { field: 'eventId' });
      if (event.undoneAt) throw new ConflictError('This event is already undone', { field: 'eventId' });
      if (!event.pantryItemId) throw new ConflictError('The lot of this event no longer exists', { field: 'eventId' });
      const lotId = event.pantryItemId as string;
      await this.lockLot(lotId, transaction);
      const latest = await this.sql<{ id: string }>(
        sql`SELECT id FROM ${T.pantryEvents} WHERE pantry_item_id = ${lotId} AND undone_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 1`,
        transaction,
      );
      if (latest.rows[0]?.id !== event.id) {
        throw new ConflictError('Only the last change of a lot can be undone; undo the later ones first', { field: 'eventId' });
      }
      await this.sql(
        event.eventType === 'added'
          ? sql`DELETE FROM ${T.pantryItems} WHERE id = ${lotId}`
          : sql`UPDATE ${T.pantryItems} SET quantity = ${event.previousQuantity}, expiry_date = ${event.previousExpiryDate}, opened_at = ${event.previousOpenedAt}
                 WHERE id = ${lotId}`,
        transaction,
      );
      const undone = await this.sql<PantryEventRecord>(sql`UPDATE ${T.pantryEvents} SET undone_at = now() WHERE id = ${event.id} RETURNING ${events.select()}`, transaction);
      return undone.rows[0]!;
    });
  }

  /**
   * Takes an amount of a product from the lots in use-first order, across as many lots as it needs, in
   * one transaction.
   *
   * @throws {ConflictError} when all lots together hold less; nothing changes.
   */
  async consumeProduct(productId: string, amount: AmountInput, options: ConsumeOptions = {}): Promise<LotChange[]> {
    checkOptions(options, [...TX, 'recipeId'], 'consume product');
    checkId(productId, 'productId', 'consume product');
    const wanted = parseInput(this.engine.inputBounds, amountSchema, amount, 'consume product');
    this.units.normalize(wanted.unit);
    return inTransaction(this.engine, options.transaction, (transaction) =>
      this.takeNeeds([{ productId, quantity: Quantity.of(wanted.quantity), unit: wanted.unit }], options.recipeId ?? null, transaction),
    );
  }

  /**
   * Takes every need from the scope's lots, all or nothing, as the allocator decides: in use-first
   * order, never from a lot expired today, never from a lot whose unit does not convert, and never the
   * same stock twice. Consuming a product and cooking a recipe both come here.
   *
   * @throws {ConflictError} when the lots cannot cover a need; nothing changes.
   * @internal
   */
  async takeNeeds(needs: Omit<AllocationNeed, 'day'>[], recipeId: string | null, transaction: Transaction): Promise<LotChange[]> {
    const productIds = [...new Set(needs.map((n) => n.productId))];
    const conversions = await productsStorageInfo(this.engine, this.scope, productIds, transaction);
    const { rows: lots } = await this.sql<PantryItemRecord & { today: string }>(
      sql`SELECT ${this.lots()}, current_date::text AS today FROM ${T.pantryItems}
           WHERE ${this.owns()} AND product_id = ANY(${productIds}::uuid[]) AND quantity > 0
           ORDER BY ${useFirstOrder()} FOR UPDATE`,
      transaction,
    );
    const today = lots[0]?.today ?? null;
    const allocation = allocate(
      needs.map((n) => ({ ...n, day: today })),
      lots.map((l) => ({ id: l.id, productId: l.productId as string, quantity: Quantity.of(l.quantity ?? '0'), unit: l.unit, expiryDate: l.expiryDate, dateKind: l.dateKind })),
      this.units,
      (id) => conversions.get(id)?.units,
    );
    const short = allocation.missing.findIndex((m) => !m.isZero());
    if (short >= 0) {
      const need = needs[short]!;
      throw new ConflictError(
        `Not enough in the pantry: ${allocation.missing[short]!.toDecimal(3)} ${this.units.normalize(need.unit ?? 'pcs')} short of product ${need.productId}`,
        { field: 'quantity' },
      );
    }
    const current = new Map<string, PantryItemRecord>(lots.map((l) => [l.id, l]));
    const changes: LotChange[] = [];
    for (const take of allocation.takes) {
      const change = await this.applyTake(current.get(take.lotId)!, take.inLotUnit, 'consumed', undefined, recipeId, transaction);
      current.set(take.lotId, change.lot);
      changes.push(change);
    }
    return changes;
  }

  private async take(
    itemId: string,
    amount: AmountInput,
    type: 'consumed' | 'wasted',
    reason: WasteReason | undefined,
    options: ConsumeOptions,
  ): Promise<LotChange> {
    checkId(itemId, 'itemId', type === 'wasted' ? 'discard' : 'consume');
    const wanted = parseInput(this.engine.inputBounds, amountSchema, amount, type === 'wasted' ? 'discard' : 'consume');
    return inTransaction(this.engine, options.transaction, async (transaction) => {
      const { lot, today } = await this.lockLot(itemId, transaction);
      // Past its use-by date a lot is no longer food: it can be thrown away, never eaten.
      if (type === 'consumed' && dateStatus(lot.expiryDate, lot.dateKind, today) === 'expired') {
        throw new ConflictError('This lot is past its use-by date; discard it instead', { field: 'itemId' });
      }
      const info = await productStorageInfo(this.engine, this.scope, lot.productId as string, transaction);
      const taken = this.units.convert(wanted.quantity, wanted.unit, this.lotUnit(lot), info.units);
      if (taken.cmp(Quantity.of(lot.quantity!)) > 0) {
        throw new ConflictError(
          `Only ${Quantity.of(lot.quantity!).toDecimal()} ${this.lotUnit(lot)} left in this lot; cannot take ${taken.toDecimal(3)}`,
          { field: 'quantity' },
        );
      }
      return this.applyTake(lot, taken, type, reason, options.recipeId ?? null, transaction);
    });
  }

  private async applyTake(
    lot: PantryItemRecord,
    taken: Quantity,
    type: 'consumed' | 'wasted',
    reason: WasteReason | undefined,
    recipeId: string | null,
    transaction: Transaction,
  ): Promise<LotChange> {
    const left = Quantity.of(lot.quantity!).sub(taken);
    const { rows } = await this.sql<PantryItemRecord>(
      sql`UPDATE ${T.pantryItems} SET quantity = ${(left.isNegative() ? Quantity.ZERO : left).toStored()} WHERE id = ${lot.id} RETURNING ${this.lots()}`,
      transaction,
    );
    const value = lot.unitPrice === null ? null : taken.mul(lot.unitPrice).toDecimal(2);
    // Never rounded: ten teaspoons from a litre bottle leave exactly a litre less ten teaspoons.
    const event = await this.journal({ lot, type, quantity: taken.toStored(), value, reason, recipeId }, transaction);
    return { lot: rows[0]!, event };
  }

  private journal(e: EventInput, transaction: Transaction): Promise<PantryEventRecord> {
    return journalPantryEvent(this.engine, this.scope, e, transaction);
  }

  /** The lot, locked, with the server's date in the same round trip. */
  private async lockLot(itemId: string, transaction: Transaction): Promise<{ lot: PantryItemRecord; today: string }> {
    checkId(itemId, 'itemId', 'pantry item');
    const { rows } = await this.sql<PantryItemRecord & { today: string }>(
      sql`SELECT ${this.lots()}, current_date::text AS today FROM ${T.pantryItems} WHERE id = ${itemId} AND ${this.owns()} FOR UPDATE`,
      transaction,
    );
    if (!rows[0]) throw new NotFoundError('pantry item', `itemId: no pantry item ${itemId}`, { field: 'itemId' });
    const { today, ...lot } = rows[0];
    return { lot, today };
  }

  private lotUnit(lot: PantryItemRecord): string {
    if (!lot.unit) throw new ValidationError([{ path: ['unit'], message: 'this lot has no unit; set one before taking from it' }]);
    return lot.unit;
  }

  private owns(): Sql {
    return this.scope.owns(ident('user_id'));
  }

  private lots(): Sql {
    return this.tables.pantryItems.select();
  }

  private sql<R extends Record<string, unknown>>(query: Sql, transaction: Transaction | null | undefined) {
    return runStatement<R>(this.engine, this.scope, 'pantry item', query, { transaction });
  }
}
