import type { Engine } from '../engine/create-engine.js';
import type { QueryOptions } from '../engine/execute.js';
import type { DateOnlyString } from '../models/types.js';
import { checkOptions, TX } from '../db/options.js';
import type { PantryItemRecord } from '../db/records.js';
import { runStatement } from '../db/run-statement.js';
import { checkId, type Scope } from '../db/scope.js';
import { ident, sql, type Sql } from '../db/sql.js';
import { T, tablesOf } from '../db/table-metadata.js';
import { parseInput } from '../db/validate.js';
import { z } from 'zod';
import { dateStatusSql, daySql } from '../repositories/lot-dates.js';
import { asOfDay } from './product-storage.js';
import { useFirstOrder } from './use-first.js';

/** Options of the pantry reads that count days. */
export interface AsOfOptions extends QueryOptions {
  /** The day to count from, `YYYY-MM-DD`. Default: the server's current date. */
  asOf?: DateOnlyString;
}

/** Options of {@link PantryLots.getUseFirst}. */
export interface UseFirstOptions extends QueryOptions {
  /** Only this product's lots. Default: every product. */
  productId?: string;
}

const daysSchema = z.strictObject({ days: z.number().int('must be a whole number').min(0, 'must not be negative').max(3650, 'must be at most 3650') });

/** What one scope's pantry holds, in use-first order: what to eat first, what is about to go, what went. */
export class PantryLots {
  /** @internal Use `createFoodsave(engine).forUser(id).ledger`. */
  constructor(
    private readonly engine: Engine,
    private readonly scope: Scope,
  ) {}

  /** Lots still holding something that expire within `days` days of `asOf` (not already expired), in use-first order. */
  async getExpiringSoon(days: number, options: AsOfOptions = {}): Promise<PantryItemRecord[]> {
    checkOptions(options, [...TX, 'asOf'], 'expiring soon');
    parseInput(this.engine.inputBounds, daysSchema, { days }, 'expiring soon');
    const day = daySql(asOfDay(options));
    const { rows } = await this.run(
      sql`SELECT ${this.lots()} FROM ${T.pantryItems}
           WHERE ${this.owns()} AND quantity > 0 AND expiry_date >= ${day} AND expiry_date <= ${day} + ${days}::int
           ORDER BY ${useFirstOrder()}`,
      options.transaction,
    );
    return rows;
  }

  /**
   * Lots still holding something whose use-by date has passed: no longer food, never counted as
   * available or consumed as eaten; throwing them away is waste. In use-first order.
   */
  getExpired(options: AsOfOptions = {}): Promise<PantryItemRecord[]> {
    return this.pastDate('expired', options);
  }

  /**
   * Lots still holding something whose best-before date has passed: overdue but still usable, and the
   * most urgent to use. Cooking, the cookable preview and the shopping list count them. In use-first
   * order.
   */
  getOverdue(options: AsOfOptions = {}): Promise<PantryItemRecord[]> {
    return this.pastDate('overdue', options);
  }

  private async pastDate(status: 'expired' | 'overdue', options: AsOfOptions): Promise<PantryItemRecord[]> {
    checkOptions(options, [...TX, 'asOf'], status);
    const day = daySql(asOfDay(options));
    const { rows } = await this.run(
      sql`SELECT ${this.lots()} FROM ${T.pantryItems}
           WHERE ${this.owns()} AND quantity > 0 AND expiry_date < ${day} AND ${dateStatusSql(day)} = ${status}
           ORDER BY ${useFirstOrder()}`,
      options.transaction,
    );
    return rows;
  }

  /** Lots that still hold something, optionally of one product, in use-first order. */
  async getUseFirst(options: UseFirstOptions = {}): Promise<PantryItemRecord[]> {
    checkOptions(options, [...TX, 'productId'], 'use first');
    if (options.productId !== undefined) checkId(options.productId, 'productId', 'use first');
    const { rows } = await this.run(
      sql`SELECT ${this.lots()} FROM ${T.pantryItems}
           WHERE ${this.owns()} AND quantity > 0 AND (${options.productId ?? null}::uuid IS NULL OR product_id = ${options.productId ?? null}::uuid)
           ORDER BY ${useFirstOrder()}`,
      options.transaction,
    );
    return rows;
  }

  private owns(): Sql {
    return this.scope.owns(ident('user_id'));
  }

  private lots(): Sql {
    return tablesOf(this.engine.models).pantryItems.select();
  }

  private run(query: Sql, transaction: QueryOptions['transaction']) {
    return runStatement<PantryItemRecord>(this.engine, this.scope, 'pantry item', query, { transaction });
  }
}
