import type { Transaction } from 'sequelize';
import { z } from 'zod';
import type { Engine } from '../engine/create-engine.js';
import type { QueryOptions } from '../engine/execute.js';
import { inTransaction } from '../db/with-transaction.js';
import type { PantryItem } from '../models/pantry-item.js';
import type { DateOnlyString } from '../models/types.js';
import { Quantity } from '../values/quantity.js';
import { checkOptions, TX } from '../db/options.js';
import type { PantryItemRecord } from '../db/records.js';
import { dateOnly } from '../db/schemas/common.js';
import { createPantryItemSchema, updatePantryItemSchema, type UpdatePantryItemInput } from '../db/schemas/pantry-schemas.js';
import { ALL_USERS, checkId, narrowScope, type Scope } from '../db/scope.js';
import { empty, sql } from '../db/sql.js';
import { T } from '../db/table-metadata.js';
import { parseInput } from '../db/validate.js';
import { BaseRepository } from './base-repository.js';
import { daySql } from './lot-dates.js';
import { journalPantryEvent } from './pantry-journal.js';

/** Filters of {@link PantryItemRepository.listItems}. */
export const pantryFilterSchema = z.strictObject({
  /** Only lots expiring on or before this date (`YYYY-MM-DD`). Default: no bound. */
  expiringBy: dateOnly().optional(),
  /** Include lots with no expiry date. Default: true, or false when `expiringBy` is set. */
  includeUndated: z.boolean().optional(),
});
export type PantryFilter = z.input<typeof pantryFilterSchema>;

/** Options of {@link PantryItemRepository.getExpiringWithin}. */
export interface ExpiringWithinOptions extends QueryOptions {
  /** The day to count from, `YYYY-MM-DD`. Default: the server's current date. */
  asOf?: DateOnlyString;
}

const daysSchema = z.strictObject({ days: z.number().int('must be a whole number').min(0, 'must not be negative').max(3650, 'must be at most 3650'), asOf: dateOnly().optional() });

/**
 * Pantry lots: plain CRUD and look-ups. Every change still goes into the pantry journal in the same
 * transaction (`added` on create, `adjusted` on update and delete), so the ledger's history and undo
 * hold whichever API changed a lot. The ledger has the food-saving operations.
 */
export class PantryItemRepository extends BaseRepository<PantryItem, typeof createPantryItemSchema, typeof updatePantryItemSchema> {
  /** @internal Use `createFoodsave(engine).forUser(id).pantry`, or `.admin.pantryItems`. */
  constructor(engine: Engine, scope: Scope = ALL_USERS) {
    super({ engine, scope, table: 'pantryItems', schemas: { create: createPantryItemSchema, update: updatePantryItemSchema }, entity: 'pantry item', ownerColumn: 'user_id' });
  }

  /** Creates a lot and journals it as `added`. A `receiptItemId` must be a line of the same user's receipt. */
  override async create(input: z.input<typeof createPantryItemSchema>, options: QueryOptions = {}): Promise<PantryItemRecord> {
    checkOptions(options, TX, 'create pantry item');
    return inTransaction(this.engine, options.transaction, async (transaction) => {
      const lot = await super.create(input, { transaction });
      await journalPantryEvent(this.engine, this.scope, { lot, type: 'added', quantity: lot.quantity ?? '0', value: null }, transaction);
      return lot;
    });
  }

  /** Updates a lot; a change of quantity, expiry or unit is journalled as `adjusted`. */
  override async update(id: string, patch: UpdatePantryItemInput, options: QueryOptions = {}): Promise<PantryItemRecord | null> {
    checkOptions(options, TX, 'update pantry item');
    parseInput(this.engine.inputBounds, updatePantryItemSchema, patch, 'update pantry item');
    return inTransaction(this.engine, options.transaction, async (transaction) => {
      const before = await this.lock(id, transaction);
      if (!before) return null;
      const after = await super.update(id, patch, { transaction });
      if (after && (after.quantity !== before.quantity || after.expiryDate !== before.expiryDate || after.unit !== before.unit)) {
        const delta = Quantity.of(after.quantity ?? '0').sub(before.quantity ?? '0').toStored();
        await journalPantryEvent(this.engine, this.scope, { lot: before, type: 'adjusted', quantity: delta, value: null }, transaction);
      }
      return after;
    });
  }

  /** Deletes a lot, journalling its removal as `adjusted` by minus its quantity. */
  override async delete(id: string, options: QueryOptions = {}): Promise<boolean> {
    checkOptions(options, TX, 'delete pantry item');
    return inTransaction(this.engine, options.transaction, async (transaction) => {
      const before = await this.lock(id, transaction);
      if (!before) return false;
      const removed = Quantity.ZERO.sub(before.quantity ?? '0').toStored();
      await journalPantryEvent(this.engine, this.scope, { lot: before, type: 'adjusted', quantity: removed, value: null }, transaction);
      return super.delete(id, { transaction });
    });
  }

  /** Lots in scope that still hold something, soonest expiry first (undated lots last). */
  async listItems(filter: PantryFilter = {}, options: QueryOptions = {}): Promise<PantryItemRecord[]> {
    checkOptions(options, TX, 'pantry filter');
    const { expiringBy, includeUndated } = parseInput(this.engine.inputBounds, pantryFilterSchema, filter, 'pantry filter');
    let condition = empty;
    if (expiringBy) condition = includeUndated ? sql`AND (expiry_date <= ${expiringBy} OR expiry_date IS NULL)` : sql`AND expiry_date <= ${expiringBy}`;
    else if (includeUndated === false) condition = sql`AND expiry_date IS NOT NULL`;
    const { rows } = await this.run<PantryItemRecord>(
      sql`SELECT ${this.meta.select()} FROM ${T.pantryItems} WHERE ${this.owns()} AND quantity > 0 ${condition} ORDER BY expiry_date NULLS LAST, id`,
      options,
    );
    return rows;
  }

  /** Back-office form of {@link listItems}: one user's pantry. */
  async getUserItems(userId: string, filter: PantryFilter = {}, options: QueryOptions = {}): Promise<PantryItemRecord[]> {
    return new PantryItemRepository(this.engine, narrowScope(this.scope, userId)).listItems(filter, options);
  }

  /**
   * Lots still holding something that expire within `days` days of `asOf` (default: today on the
   * server), soonest first, including ones already past; used-up lots are left out. One range scan of the
   * (user_id, expiry_date) index; the planner may read the heap pages in block order and sort the rows.
   */
  async getExpiringWithin(days: number, options: ExpiringWithinOptions = {}): Promise<PantryItemRecord[]> {
    checkOptions(options, [...TX, 'asOf'], 'expiring within');
    parseInput(this.engine.inputBounds, daysSchema, { days, ...(options.asOf === undefined ? {} : { asOf: options.asOf }) }, 'expiring within');
    const { rows } = await this.run<PantryItemRecord>(
      sql`SELECT ${this.meta.select()} FROM ${T.pantryItems}
           WHERE ${this.owns()} AND quantity > 0 AND expiry_date <= ${daySql(options.asOf ?? null)} + ${days}::int
           ORDER BY expiry_date`,
      { transaction: options.transaction },
    );
    return rows;
  }

  private async lock(id: string, transaction: Transaction): Promise<PantryItemRecord | null> {
    checkId(id, 'id', this.entity);
    const { rows } = await this.run<PantryItemRecord>(
      sql`SELECT ${this.meta.select()} FROM ${T.pantryItems} WHERE id = ${id} AND ${this.owns()} FOR UPDATE`,
      { transaction },
    );
    return rows[0] ?? null;
  }
}
