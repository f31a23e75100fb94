import { z } from 'zod';
import type { Engine } from '../engine/create-engine.js';
import type { QueryOptions } from '../engine/sql.js';
import type { PantryItem } from '../models/pantry-item.js';
import type { DateOnlyString } from '../models/types.js';
import type { Transaction } from 'sequelize';
import { Quantity } from '../domain/quantity.js';
import { journalPantryEvent } from '../domain/pantry-journal.js';
import { inTransaction } from '../engine/with-transaction.js';
import { BaseRepository, type RecordOf, type ScopedOptions } from './base-repository.js';
import { dateOnly } from './schemas/common.js';
import {
  createPantryItemSchema,
  updatePantryItemSchema,
  type CreatePantryItemInput,
  type UpdatePantryItemInput,
} from './schemas/pantry-schemas.js';
import { parseInput } from './validate.js';

export type PantryItemRecord = RecordOf<PantryItem>;

/** Filters of {@link PantryItemRepository.getUserItems}. */
export interface PantryFilter extends QueryOptions {
  /** Only lots expiring on or before this date (`YYYY-MM-DD`). Default: no bound. */
  expiringBy?: DateOnlyString;
  /** Include lots with no expiry date. Default: true, or false when `expiringBy` is set. */
  includeUndated?: boolean;
}

const filterSchema = z.strictObject({ expiringBy: dateOnly().optional(), includeUndated: z.boolean().optional() });
const daysSchema = z.strictObject({ days: z.number().int('must be a whole number').min(0, 'must not be negative').max(3650) });
const asOfSchema = z.strictObject({ asOf: dateOnly() });

/**
 * Pantry lots: plain CRUD and look-ups. Every change still goes into the pantry journal in the same
 * transaction (`added` on create, `adjusted` on update and delete), so the ledger's history and undo
 * hold whichever API changed a lot. `PantryLedger` has the food-saving operations.
 */
export class PantryItemRepository extends BaseRepository<PantryItem, typeof createPantryItemSchema, typeof updatePantryItemSchema> {
  constructor(engine: Engine) {
    super(engine, engine.models.PantryItem, { create: createPantryItemSchema, update: updatePantryItemSchema }, 'pantry item', 'user_id');
  }

  /** Creates a lot and journals it as `added`. See {@link BaseRepository.create}. */
  override async create(input: CreatePantryItemInput, options: QueryOptions = {}): Promise<PantryItemRecord> {
    const data = parseInput(createPantryItemSchema, input, 'create pantry item') as Record<string, unknown>;
    return this.inTransaction(options, async (transaction) => {
      const lot = (await this.insertRows([data], { transaction })).rows[0]!;
      await journalPantryEvent(this.engine, { userId: lot.userId as string, lot, type: 'added', quantity: lot.quantity ?? '0', value: null }, transaction);
      return lot;
    });
  }

  /** Updates a lot; a change of quantity, expiry or unit is journalled as `adjusted`. See {@link BaseRepository.update}. */
  override async update(id: string, patch: UpdatePantryItemInput, options: ScopedOptions = {}): Promise<PantryItemRecord | null> {
    parseInput(updatePantryItemSchema, patch, 'update pantry item');
    return this.inTransaction(options, async (transaction) => {
      const before = await this.lock(id, options.userId, transaction);
      if (!before) return null;
      const after = await super.update(id, patch, { ...options, transaction });
      if (after && (after.quantity !== before.quantity || after.expiryDate !== before.expiryDate || after.unit !== before.unit)) {
        const delta = Quantity.of(after.quantity ?? '0').sub(before.quantity ?? '0').toDecimal(3);
        await journalPantryEvent(this.engine, { userId: before.userId as string, lot: before, type: 'adjusted', quantity: delta, value: null }, transaction);
      }
      return after;
    });
  }

  /** Deletes a lot, journalling its removal as `adjusted` by minus its quantity. See {@link BaseRepository.delete}. */
  override async delete(id: string, options: ScopedOptions = {}): Promise<boolean> {
    return this.inTransaction(options, async (transaction) => {
      const before = await this.lock(id, options.userId, transaction);
      if (!before) return false;
      const removed = Quantity.ZERO.sub(before.quantity ?? '0').toDecimal(3);
      await journalPantryEvent(this.engine, { userId: before.userId as string, lot: before, type: 'adjusted', quantity: removed, value: null }, transaction);
      return super.delete(id, { ...options, transaction });
    });
  }

  private async lock(id: string, userId: string | undefined, transaction: Transaction): Promise<PantryItemRecord | null> {
    this.checkId(id);
    const values: unknown[] = [id];
    const scope = userId !== undefined ? ` AND ${this.ownerWhere(userId, values)}` : '';
    const { rows } = await this.run<PantryItemRecord>(`SELECT ${this.selectList} FROM pantry_items WHERE id = $1${scope} FOR UPDATE`, values, { transaction });
    return rows[0] ?? null;
  }

  private inTransaction<T>(options: QueryOptions, fn: (transaction: Transaction) => Promise<T>): Promise<T> {
    return inTransaction(this.engine, options.transaction, fn);
  }

  /**
   * A user's pantry, soonest expiry first (undated lots last).
   *
   * @example
   * ```ts
   * const all = await repos.pantryItems.getUserItems(userId);
   * const soon = await repos.pantryItems.getUserItems(userId, { expiringBy: '2026-11-30' });
   * ```
   */
  async getUserItems(userId: string, filter: PantryFilter = {}): Promise<PantryItemRecord[]> {
    this.checkUserId(userId);
    const { transaction, ...rest } = filter;
    const { expiringBy, includeUndated } = parseInput(filterSchema, rest, 'pantry filter');
    const values: unknown[] = [userId];
    let where = 'user_id = $1';
    if (expiringBy) {
      values.push(expiringBy);
      where += includeUndated ? ` AND (expiry_date <= $2 OR expiry_date IS NULL)` : ` AND expiry_date <= $2`;
    } else if (includeUndated === false) {
      where += ' AND expiry_date IS NOT NULL';
    }
    const { rows } = await this.run<PantryItemRecord>(
      `SELECT ${this.selectList} FROM pantry_items WHERE ${where} ORDER BY expiry_date NULLS LAST, id`,
      values,
      { transaction },
    );
    return rows;
  }

  /**
   * Lots that expire within `days` days of `asOf` (default: today on the server), soonest first,
   * including ones already past. One index range scan on (user_id, expiry_date), no sort.
   *
   * @example
   * ```ts
   * const useFirst = await repos.pantryItems.getExpiringWithin(userId, 3);
   * ```
   */
  async getExpiringWithin(userId: string, days: number, options: QueryOptions & { asOf?: DateOnlyString } = {}): Promise<PantryItemRecord[]> {
    this.checkUserId(userId);
    parseInput(daysSchema, { days }, 'expiring within');
    if (options.asOf !== undefined) parseInput(asOfSchema, { asOf: options.asOf }, 'expiring within');
    const { rows } = await this.run<PantryItemRecord>(
      `SELECT ${this.selectList} FROM pantry_items
        WHERE user_id = $1 AND expiry_date <= coalesce($3::date, current_date) + $2::int
        ORDER BY expiry_date`,
      [userId, days, options.asOf ?? null],
      options,
    );
    return rows;
  }
}
