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
import { Quantity } from '../domain/quantity.js';
import { createUnitRegistry, productStorageInfoSchema, type UnitRegistry } from '../domain/units.js';

export type MealPlanRecord = RecordOf<MealPlan>;
export type MealPlanItemRecord = RecordOf<MealPlanItem>;
export type MealPlanWithItems = MealPlanRecord & { items: MealPlanItemRecord[] };

/** One thing to buy. */
export interface ShoppingListItem {
  productId: string;
  productName: string;
  categoryId: string | null;
  categoryName: string | null;
  /** Exact decimal string, in `unit`. */
  quantity: string;
  unit: string | null;
  /** The first day it is needed. */
  neededBy: DateOnlyString;
}

/** What {@link MealPlanRepository.getShoppingList} returns. */
export interface ShoppingList {
  from: DateOnlyString;
  to: DateOnlyString;
  items: ShoppingListItem[];
  byCategory: { categoryId: string | null; categoryName: string | null; items: ShoppingListItem[] }[];
}

interface Need {
  neededOn: string;
  productId: string;
  quantity: string;
  unit: string | null;
  productName: string;
  categoryId: string | null;
  categoryName: string | null;
  storageInfo: unknown;
}

interface Lot {
  id: string;
  productId: string;
  quantity: string;
  unit: string | null;
  expiryDate: string | null;
}

/**
 * Everything the plan needs, by day: each planned dish's ingredients scaled to its servings (a plan's
 * main dish counts unless an item names the same recipe), and planned products.
 */
const NEEDS_SQL = `
WITH plans AS (
  SELECT id, plan_date, recipe_id FROM meal_plans WHERE user_id = $1 AND plan_date BETWEEN $2::date AND $3::date
), dishes AS (
  SELECT p.plan_date, p.recipe_id, NULL::int AS servings FROM plans p
   WHERE p.recipe_id IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM meal_plan_items mi WHERE mi.meal_plan_id = p.id AND mi.recipe_id = p.recipe_id)
  UNION ALL
  SELECT p.plan_date, mi.recipe_id, mi.servings FROM plans p JOIN meal_plan_items mi ON mi.meal_plan_id = p.id
   WHERE mi.recipe_id IS NOT NULL
), needs AS (
  SELECT d.plan_date, ri.product_id, ri.quantity * coalesce(d.servings::numeric / nullif(r.servings, 0), 1) AS quantity, ri.unit
    FROM dishes d JOIN recipes r ON r.id = d.recipe_id JOIN recipe_ingredients ri ON ri.recipe_id = d.recipe_id
   WHERE ri.product_id IS NOT NULL AND ri.quantity IS NOT NULL
  UNION ALL
  SELECT p.plan_date, mi.product_id, mi.quantity, mi.unit FROM plans p JOIN meal_plan_items mi ON mi.meal_plan_id = p.id
   WHERE mi.product_id IS NOT NULL AND mi.quantity IS NOT NULL
)
SELECT n.plan_date AS "neededOn", n.product_id AS "productId", n.quantity::text AS quantity, n.unit,
       pr.name AS "productName", pr.category_id AS "categoryId", c.name AS "categoryName", pr.storage_info AS "storageInfo"
  FROM needs n JOIN products pr ON pr.id = n.product_id LEFT JOIN categories c ON c.id = pr.category_id
 ORDER BY n.plan_date, pr.name, n.product_id`;

const rangeSchema = z.strictObject({ startDate: dateOnly(), endDate: dateOnly() });
const ITEM_COLUMNS =
  'id, meal_plan_id AS "mealPlanId", recipe_id AS "recipeId", product_id AS "productId", servings, quantity, unit, notes, created_at AS "createdAt"';

/** A user's meal plans and what each meal holds. */
export class MealPlanRepository extends BaseRepository<MealPlan, typeof createMealPlanSchema, typeof updateMealPlanSchema> {
  private readonly units: UnitRegistry;

  /**
   * @param engine - the engine
   * @param options - `units`: the unit registry for the shopping list. Default: `createUnitRegistry()`.
   */
  constructor(engine: Engine, options: { units?: UnitRegistry } = {}) {
    super(engine, engine.models.MealPlan, { create: createMealPlanSchema, update: updateMealPlanSchema }, 'meal plan', 'user_id');
    this.units = options.units ?? createUnitRegistry();
  }

  /** The name for {@link getUserPlans}: each date's meals with their dishes and servings. */
  getPlan(userId: string, from: DateOnlyString, to: DateOnlyString, options: QueryOptions = {}): Promise<MealPlanWithItems[]> {
    return this.getUserPlans(userId, from, to, options);
  }

  /**
   * What to buy for the meals planned between two dates (inclusive): the ingredients of every planned
   * recipe scaled to the planned servings (the main dish at the recipe's own servings), plus planned
   * products, minus what the pantry will still hold on the day each is needed. A lot counts only if it
   * has not expired by that day, lots are drawn in use-first order and shared across days, and units
   * convert exactly (including the product's own conversions). Grouped by category.
   *
   * @example
   * ```ts
   * const list = await repos.mealPlans.getShoppingList(userId, '2026-11-30', '2026-12-06');
   * for (const group of list.byCategory) console.log(group.categoryName, group.items);
   * ```
   */
  async getShoppingList(userId: string, from: DateOnlyString, to: DateOnlyString, options: QueryOptions = {}): Promise<ShoppingList> {
    this.checkUserId(userId);
    parseInput(rangeSchema, { startDate: from, endDate: to }, 'shopping list');
    const { rows: needs } = await this.run<Need>(NEEDS_SQL, [userId, from, to], options);
    if (needs.length === 0) return { from, to, items: [], byCategory: [] };
    const { rows: lots } = await this.run<Lot>(
      `SELECT id, product_id AS "productId", quantity, unit, expiry_date AS "expiryDate" FROM pantry_items
        WHERE user_id = $1 AND product_id = ANY($2::uuid[]) AND quantity > 0
        ORDER BY product_id, expiry_date NULLS LAST, (opened_at IS NULL), added_date, id`,
      [userId, [...new Set(needs.map((n) => n.productId))]],
      options,
    );
    const left = new Map(lots.map((l) => [l.id, Quantity.of(l.quantity)]));
    const lotsOf = new Map<string, Lot[]>();
    for (const lot of lots) {
      const list = lotsOf.get(lot.productId);
      if (list) list.push(lot);
      else lotsOf.set(lot.productId, [lot]);
    }

    const list = new Map<string, ShoppingListItem & { amount: Quantity }>();
    for (const need of needs) {
      const unit = need.unit === null ? null : (this.units.tryNormalize(need.unit) ?? need.unit);
      let missing = Quantity.of(need.quantity);
      const productUnits = productStorageInfoSchema.safeParse(need.storageInfo ?? {}).data?.units;
      for (const lot of lotsOf.get(need.productId) ?? []) {
        if (missing.isZero() || missing.isNegative()) break;
        if (lot.expiryDate !== null && lot.expiryDate < need.neededOn) continue;
        const available = left.get(lot.id)!;
        if (available.isZero()) continue;
        let inNeedUnit: Quantity;
        try {
          inNeedUnit = unit === lot.unit ? available : this.units.convert(available, lot.unit ?? 'pcs', unit ?? 'pcs', productUnits);
        } catch {
          continue; // This lot is in a unit that does not convert: it cannot cover this need.
        }
        const taken = inNeedUnit.min(missing);
        missing = missing.sub(taken);
        const takenInLot = unit === lot.unit ? taken : this.units.convert(taken, unit ?? 'pcs', lot.unit ?? 'pcs', productUnits);
        left.set(lot.id, available.sub(takenInLot));
      }
      if (missing.cmp('0.0005') < 0) continue;
      const key = `${need.productId}\u0000${unit ?? ''}`;
      const entry = list.get(key);
      if (entry) entry.amount = entry.amount.add(missing);
      else {
        list.set(key, {
          productId: need.productId,
          productName: need.productName,
          categoryId: need.categoryId,
          categoryName: need.categoryName,
          quantity: '',
          unit,
          neededBy: need.neededOn,
          amount: missing,
        });
      }
    }
    const items = [...list.values()].map(({ amount, ...item }) => ({ ...item, quantity: amount.toDecimal(3) }));
    const groups = new Map<string, ShoppingList['byCategory'][number]>();
    for (const item of items) {
      const key = item.categoryId ?? '';
      const group = groups.get(key) ?? { categoryId: item.categoryId, categoryName: item.categoryName, items: [] };
      group.items.push(item);
      groups.set(key, group);
    }
    const byCategory = [...groups.values()].sort((a, b) => (a.categoryName ?? '\uffff').localeCompare(b.categoryName ?? '\uffff'));
    return { from, to, items, byCategory };
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
      const list = byPlan.get(key);
      if (list) list.push(item);
      else byPlan.set(key, [item]);
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
