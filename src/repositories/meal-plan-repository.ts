import type { Engine } from '../engine/create-engine.js';
import type { QueryOptions } from '../engine/execute.js';
import { NotFoundError } from '../errors.js';
import type { MealPlan } from '../models/meal-plan.js';
import { checkOptions, TX } from '../db/options.js';
import type { MealPlanItemRecord, MealPlanRecord, MealPlanWithItems } from '../db/records.js';
import { dateRangeSchema, type DateRange } from '../db/schemas/common.js';
import { createMealPlanSchema, mealPlanItemSchema, updateMealPlanSchema, type MealPlanItemInput } from '../db/schemas/meal-plan-schemas.js';
import { ALL_USERS, checkId, narrowScope, type Scope } from '../db/scope.js';
import { sql } from '../db/sql.js';
import { T } from '../db/table-metadata.js';
import { parseInput } from '../db/validate.js';
import { BaseRepository } from './base-repository.js';

/** A user's meal plans and what each meal holds. */
export class MealPlanRepository extends BaseRepository<MealPlan, typeof createMealPlanSchema, typeof updateMealPlanSchema> {
  /** @internal Use `createFoodsave(engine).forUser(id).mealPlans`, or `.admin.mealPlans`. */
  constructor(engine: Engine, scope: Scope = ALL_USERS) {
    super({ engine, scope, table: 'mealPlans', schemas: { create: createMealPlanSchema, update: updateMealPlanSchema }, entity: 'meal plan', ownerColumn: 'user_id' });
  }

  /** Meal plans in scope between two dates (inclusive), by date and meal, each with its items. */
  async getPlan(range: DateRange, options: QueryOptions = {}): Promise<MealPlanWithItems[]> {
    checkOptions(options, TX, 'meal plan range');
    const { from, to } = parseInput(this.engine.inputBounds, dateRangeSchema, range, 'meal plan range');
    const plans = await this.run<MealPlanRecord>(
      sql`SELECT ${this.meta.select()} FROM ${T.mealPlans} WHERE ${this.owns()} AND plan_date BETWEEN ${from} AND ${to}
           ORDER BY plan_date, CASE meal_type WHEN 'breakfast' THEN 1 WHEN 'lunch' THEN 2 WHEN 'dinner' THEN 3 WHEN 'snack' THEN 4 ELSE 5 END, id`,
      options,
    );
    if (plans.rows.length === 0) return [];
    const items = await this.run<MealPlanItemRecord>(
      sql`SELECT ${this.tables.mealPlanItems.select()} FROM ${T.mealPlanItems} WHERE meal_plan_id = ANY(${plans.rows.map((p) => p.id)}::uuid[]) ORDER BY created_at, id`,
      options,
    );
    const byPlan = new Map<string, MealPlanItemRecord[]>();
    for (const item of items.rows) {
      const key = item.mealPlanId as string;
      const list = byPlan.get(key);
      if (list) list.push(item);
      else byPlan.set(key, [item]);
    }
    return plans.rows.map((p) => ({ ...p, items: byPlan.get(p.id) ?? [] }));
  }

  /** Back-office form of {@link getPlan}: one user's plans. */
  async getUserPlans(userId: string, range: DateRange, options: QueryOptions = {}): Promise<MealPlanWithItems[]> {
    return new MealPlanRepository(this.engine, narrowScope(this.scope, userId)).getPlan(range, options);
  }

  /**
   * Adds a recipe (with servings) or a product (with quantity and unit) to a meal plan in scope, checked
   * in the same statement as the insert.
   *
   * @throws {NotFoundError} when the plan does not exist, or is another user's.
   * @throws {ValidationError} unless exactly one of `recipeId` and `productId` is set.
   */
  async addItem(mealPlanId: string, item: MealPlanItemInput, options: QueryOptions = {}): Promise<MealPlanItemRecord> {
    checkOptions(options, TX, 'add meal plan item');
    checkId(mealPlanId, 'mealPlanId');
    const d = parseInput(this.engine.inputBounds, mealPlanItemSchema, item, 'add meal plan item');
    const { rows } = await this.run<MealPlanItemRecord>(
      sql`INSERT INTO ${T.mealPlanItems} (meal_plan_id, recipe_id, product_id, servings, quantity, unit, notes)
          SELECT id, ${d.recipeId ?? null}, ${d.productId ?? null}, ${d.servings ?? null}, ${d.quantity ?? null}, ${d.unit ?? null}, ${d.notes ?? null}
            FROM ${T.mealPlans} WHERE id = ${mealPlanId} AND ${this.owns()}
          RETURNING ${this.tables.mealPlanItems.select()}`,
      options,
    );
    if (!rows[0]) throw new NotFoundError('meal plan', `mealPlanId: no meal plan ${mealPlanId}`, { field: 'mealPlanId' });
    return rows[0];
  }

  /** Removes an item from a meal plan in scope; `true` if it existed there. */
  async removeItem(itemId: string, options: QueryOptions = {}): Promise<boolean> {
    checkOptions(options, TX, 'remove meal plan item');
    checkId(itemId, 'itemId');
    const { rowCount } = await this.run(
      sql`DELETE FROM ${T.mealPlanItems} mi WHERE mi.id = ${itemId} AND mi.meal_plan_id IN (SELECT mp.id FROM ${T.mealPlans} mp WHERE ${this.owns('mp')})`,
      options,
    );
    return rowCount > 0;
  }
}
