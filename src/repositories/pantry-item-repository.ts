import { z } from 'zod';
import type { Engine } from '../engine/create-engine.js';
import type { QueryOptions } from '../engine/sql.js';
import type { PantryItem } from '../models/pantry-item.js';
import type { DateOnlyString } from '../models/types.js';
import { BaseRepository, type RecordOf } from './base-repository.js';
import { dateOnly } from './schemas/common.js';
import { createPantryItemSchema, updatePantryItemSchema } from './schemas/pantry-schemas.js';
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

/** Pantry lots. The ledger, units and use-first logic of the food-saving domain build on this. */
export class PantryItemRepository extends BaseRepository<PantryItem, typeof createPantryItemSchema, typeof updatePantryItemSchema> {
  constructor(engine: Engine) {
    super(engine, engine.models.PantryItem, { create: createPantryItemSchema, update: updatePantryItemSchema }, 'pantry item', 'user_id');
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
