import type { QueryResultRow } from 'pg';
import type { Engine } from '../engine/create-engine.js';
import type { QueryOptions } from '../engine/execute.js';
import { inTransaction } from '../db/with-transaction.js';
import { NotFoundError } from '../errors.js';
import { Quantity } from '../values/quantity.js';
import { checkOptions, TX } from '../db/options.js';
import { runStatement } from '../db/run-statement.js';
import { checkId } from '../db/scope.js';
import { sql, type Sql } from '../db/sql.js';
import { T } from '../db/table-metadata.js';
import { parseInput } from '../db/validate.js';
import { z } from 'zod';
import type { LotChange, PantryLedger } from './pantry-ledger.js';

/** Options of {@link Cooking.cookRecipe}. */
export interface CookOptions extends QueryOptions {
  /** Servings to cook; ingredients scale from the recipe's own servings. Default: the recipe's servings. */
  servings?: number;
}

const cookSchema = z.strictObject({ servings: z.number().positive('must be positive').max(1000, 'must be at most 1000').optional() });

/** Cooking a recipe from one scope's pantry, through its ledger. */
export class Cooking {
  /** @internal Use `createFoodsave(engine).forUser(id).ledger.cookRecipe`. */
  constructor(
    private readonly engine: Engine,
    private readonly ledger: PantryLedger,
  ) {}

  /**
   * Cooks a recipe: consumes each ingredient, scaled from the recipe's servings to `servings`, from the
   * lots in use-first order, in one transaction, logging `consumed` events that point to the recipe.
   * Ingredients without a quantity are not deducted.
   *
   * @throws {ConflictError} when the pantry lacks an ingredient; nothing is consumed.
   * @example
   * ```ts
   * await me.ledger.cookRecipe(omeletteId, { servings: 2 });
   * ```
   */
  async cookRecipe(recipeId: string, options: CookOptions = {}): Promise<LotChange[]> {
    checkOptions(options, [...TX, 'servings'], 'cook recipe');
    checkId(recipeId, 'recipeId', 'cook recipe');
    const { servings } = parseInput(this.engine.inputBounds, cookSchema, options.servings === undefined ? {} : { servings: options.servings }, 'cook recipe');
    return inTransaction(this.engine, options.transaction, async (transaction) => {
      const recipe = await this.run<{ servings: number | null }>(sql`SELECT servings FROM ${T.recipes} WHERE id = ${recipeId}`, transaction);
      if (!recipe.rows[0]) throw new NotFoundError('recipe', `recipeId: no recipe ${recipeId}`, { field: 'recipeId' });
      const base = recipe.rows[0].servings ?? 1;
      const scale = Quantity.of(String(servings ?? base)).div(String(base));
      const { rows: ingredients } = await this.run<{ productId: string; quantity: string; unit: string | null }>(
        sql`SELECT product_id AS "productId", quantity, unit FROM ${T.recipeIngredients}
             WHERE recipe_id = ${recipeId} AND quantity IS NOT NULL AND quantity > 0 AND product_id IS NOT NULL ORDER BY id`,
        transaction,
      );
      // Every ingredient at once, so an ingredient listed twice never counts the same stock twice.
      const needs = ingredients.map((i) => ({ productId: i.productId, quantity: Quantity.of(i.quantity).mul(scale), unit: i.unit }));
      return this.ledger.takeNeeds(needs, recipeId, transaction);
    });
  }

  private run<R extends QueryResultRow>(query: Sql, transaction: QueryOptions['transaction']) {
    return runStatement<R>(this.engine, this.ledger.scope, 'recipe', query, { transaction });
  }
}
