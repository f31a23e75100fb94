import { z } from 'zod';
import type { Engine } from '../engine/create-engine.js';
import type { QueryOptions } from '../engine/sql.js';
import { NotFoundError } from '../errors.js';
import type { MealPlan } from '../models/meal-plan.js';
import type { MealPlanItem } from '../models/meal-plan-item.js';
import type { DateOnlyString } from '../models/types.js';
import { BaseRepository, type RecordOf, type ScopedOptions } from './base-repository.js';
import { dateOnly } from './schemas/common.js';
import {
  createMealPlanSchema,
  mealPlanItemSchema,
  updateMealPlanSchema,
  type MealPlanItemInput,
} from './schemas/meal-plan-schemas.js';
import { parseInput } from './validate.js';

export type MealPlanRecord = RecordOf<MealPlan>;
export type MealPlanItemRecord = RecordOf<MealPlanItem>;
export type MealPlanWithItems = MealPlanRecord & { items: MealPlanItemRecord[] };

const rangeSchema = z.strictObject({ startDate: dateOnly(), endDate: dateOnly() });
const ITEM_COLUMNS =
  'id, meal_plan_id AS "mealPlanId", recipe_id AS "recipeId", product_id AS "productId", servings, quantity, unit, notes, created_at AS "createdAt"';

/** A user's meal plans and what each meal holds. */
export class MealPlanRepository extends BaseRepository<MealPlan, typeof createMealPlanSchema, typeof updateMealPlanSchema> {
  constructor(engine: Engine) {
    super(engine, engine.models.MealPlan, { create: createMealPlanSchema, update: updateMealPlanSchema }, 'meal plan', 'user_id');
  }

  /**
   * A user's meal plans between two dates (inclusive), by date, each with its items.
   *
   * @example
   * ```ts
   * const week = await repos.mealPlans.getUserPlans(userId, '2026-11-23', '2026-11-29');
   * ```
   */
  async getUserPlans(userId: string, startDate: DateOnlyString, endDate: DateOnlyString, options: QueryOptions = {}): Promise<MealPlanWithItems[]> {
    this.checkUserId(userId);
    parseInput(rangeSchema, { startDate, endDate }, 'meal plan range');
    const plans = await this.run<MealPlanRecord>(
      `SELECT ${this.selectList} FROM meal_plans WHERE user_id = $1 AND plan_date BETWEEN $2 AND $3
        ORDER BY plan_date, CASE meal_type WHEN 'breakfast' THEN 1 WHEN 'lunch' THEN 2 WHEN 'dinner' THEN 3 WHEN 'snack' THEN 4 ELSE 5 END, id`,
      [userId, startDate, endDate],
      options,
    );
    if (plans.rows.length === 0) return [];
    const items = await this.run<MealPlanItemRecord>(
      `SELECT ${ITEM_COLUMNS} FROM meal_plan_items WHERE meal_plan_id = ANY($1::uuid[]) ORDER BY created_at, id`,
      [plans.rows.map((p) => p.id)],
      options,
    );
    const byPlan = new Map<string, MealPlanItemRecord[]>();
    for (const item of items.rows) {
      const key = item.mealPlanId as string;
      byPlan.set(key, [...(byPlan.get(key) ?? []), item]);
    }
    return plans.rows.map((p) => ({ ...p, items: byPlan.get(p.id as string) ?? [] }));
  }

  /**
   * Adds a recipe (with servings) or a product (with quantity and unit) to a meal plan.
   *
   * @throws {NotFoundError} when the plan does not exist, or is another user's (with `userId`).
   * @throws {ValidationError} unless exactly one of `recipeId` and `productId` is set.
   * @example
   * ```ts
   * await repos.mealPlans.addItem(planId, { recipeId: soupId, servings: 2 }, { userId });
   * ```
   */
  async addItem(mealPlanId: string, item: MealPlanItemInput, options: ScopedOptions = {}): Promise<MealPlanItemRecord> {
    this.checkId(mealPlanId, 'mealPlanId');
    const data = parseInput(mealPlanItemSchema, item, 'add meal plan item');
    const values: unknown[] = [mealPlanId, data.recipeId ?? null, data.productId ?? null, data.servings ?? null, data.quantity ?? null, data.unit ?? null, data.notes ?? null];
    const scope = options.userId !== undefined ? ` AND ${this.ownerWhere(options.userId, values)}` : '';
    const { rows } = await this.run<MealPlanItemRecord>(
      `INSERT INTO meal_plan_items (meal_plan_id, recipe_id, product_id, servings, quantity, unit, notes)
       SELECT id, $2, $3, $4, $5, $6, $7 FROM meal_plans WHERE id = $1${scope}
       RETURNING ${ITEM_COLUMNS}`,
      values,
      options,
    );
    if (!rows[0]) throw new NotFoundError('meal plan', `mealPlanId: no meal plan ${mealPlanId}`, { field: 'mealPlanId' });
    return rows[0];
  }

  /**
   * Removes an item from a meal plan; `true` if it existed (and, with `userId`, was that user's).
   *
   * @example
   * ```ts
   * await repos.mealPlans.removeItem(itemId, { userId });
   * ```
   */
  async removeItem(itemId: string, options: ScopedOptions = {}): Promise<boolean> {
    this.checkId(itemId, 'itemId');
    const values: unknown[] = [itemId];
    const scope = options.userId !== undefined ? ` AND mi.meal_plan_id IN (SELECT id FROM meal_plans mp WHERE ${this.ownerWhere(options.userId, values, 'mp')})` : '';
    const { rowCount } = await this.run(`DELETE FROM meal_plan_items mi WHERE mi.id = $1${scope}`, values, options);
    return rowCount > 0;
  }
}
