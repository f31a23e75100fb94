import type { QueryResultRow } from 'pg';
import type { Engine } from '../engine/create-engine.js';
import type { QueryOptions } from '../engine/execute.js';
import type { DateOnlyString } from '../models/types.js';
import { Quantity } from '../values/quantity.js';
import { createUnitRegistry, productStorageInfoSchema, type UnitRegistry } from '../values/units.js';
import { checkOptions, TX } from '../db/options.js';
import { runStatement } from '../db/run-statement.js';
import { dateRangeSchema, type DateRange } from '../db/schemas/common.js';
import type { Scope } from '../db/scope.js';
import { ident, sql, type Sql } from '../db/sql.js';
import { T } from '../db/table-metadata.js';
import { parseInput } from '../db/validate.js';
import { allocate, convertOrNull } from './allocate.js';
import type { PantryLot } from './cookable-kitchen.js';
import { useFirstOrder } from './use-first.js';

/** One thing to buy. */
export interface ShoppingListItem {
  productId: string;
  productName: string;
  categoryId: string | null;
  categoryName: string | null;
  /** Exact decimal string, in `unit`: every need of the product that converts to it, summed. */
  quantity: string;
  /** The unit of the product's first need (`pcs` when the recipe gives none). */
  unit: string | null;
  /** The first day it is needed. */
  neededBy: DateOnlyString;
  /**
   * Set on a second line for the same product, when its need is in a unit that does not convert to the
   * first line's (say `pack` without a conversion): why it is a line of its own.
   */
  unconvertible?: string;
}

/** What {@link ShoppingPlanner.getShoppingList} returns. */
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

/** A lot as the pantry statement gives it; the shopping list needs no price. */
type Lot = Omit<PantryLot, 'unitPrice'>;


/**
 * Everything the plan needs, by day: each planned dish's ingredients scaled to its servings (a plan's
 * main dish counts unless an item names the same recipe), and planned products.
 */
function needsQuery(owns: Sql, from: string, to: string): Sql {
  return sql`
WITH plans AS (
  SELECT id, plan_date, recipe_id FROM ${T.mealPlans} WHERE ${owns} AND plan_date BETWEEN ${from}::date AND ${to}::date
), dishes AS (
  SELECT p.plan_date, p.recipe_id, NULL::int AS servings FROM plans p
   WHERE p.recipe_id IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM ${T.mealPlanItems} mi WHERE mi.meal_plan_id = p.id AND mi.recipe_id = p.recipe_id)
  UNION ALL
  SELECT p.plan_date, mi.recipe_id, mi.servings FROM plans p JOIN ${T.mealPlanItems} mi ON mi.meal_plan_id = p.id
   WHERE mi.recipe_id IS NOT NULL
), needs AS (
  SELECT d.plan_date, ri.product_id, ri.quantity * coalesce(d.servings::numeric / nullif(r.servings, 0), 1) AS quantity, ri.unit
    FROM dishes d JOIN ${T.recipes} r ON r.id = d.recipe_id JOIN ${T.recipeIngredients} ri ON ri.recipe_id = d.recipe_id
   WHERE ri.product_id IS NOT NULL AND ri.quantity IS NOT NULL
  UNION ALL
  SELECT p.plan_date, mi.product_id, mi.quantity, mi.unit FROM plans p JOIN ${T.mealPlanItems} mi ON mi.meal_plan_id = p.id
   WHERE mi.product_id IS NOT NULL AND mi.quantity IS NOT NULL
)
SELECT n.plan_date AS "neededOn", n.product_id AS "productId", n.quantity::text AS quantity, n.unit,
       pr.name AS "productName", pr.category_id AS "categoryId", c.name AS "categoryName", pr.storage_info AS "storageInfo"
  FROM needs n JOIN ${T.products} pr ON pr.id = n.product_id LEFT JOIN ${T.categories} c ON c.id = pr.category_id
 ORDER BY n.plan_date, pr.name, n.product_id`;
}

/**
 * What is still missing once the allocator has drawn the lots for every need, day by day: one line per
 * product, summing the needs that convert into the unit of its first need. A need whose unit does not
 * convert to that one gets a line of its own, with the reason.
 */
function shortfalls(needs: Need[], lots: Lot[], units: UnitRegistry): ShoppingListItem[] {
  const conversions = new Map(needs.map((n) => [n.productId, productStorageInfoSchema.safeParse(n.storageInfo ?? {}).data?.units]));
  const { missing } = allocate(
    needs.map((n) => ({ productId: n.productId, quantity: Quantity.of(n.quantity), unit: n.unit, day: n.neededOn })),
    lots.map((l) => ({ id: l.id, productId: l.productId, quantity: Quantity.of(l.quantity), unit: l.unit, expiryDate: l.expiryDate, dateKind: l.dateKind })),
    units,
    (id) => conversions.get(id),
  );
  const lines: (ShoppingListItem & { amount: Quantity })[] = [];
  needs.forEach((need, i) => {
    const short = missing[i]!;
    if (short.isZero()) return;
    const unit = need.unit === null ? 'pcs' : (units.tryNormalize(need.unit) ?? need.unit);
    for (const line of lines) {
      if (line.productId !== need.productId || line.unconvertible) continue;
      const inLineUnit = convertOrNull(units, short, unit, line.unit ?? 'pcs', conversions.get(need.productId));
      if (inLineUnit === null) continue;
      line.amount = line.amount.add(inLineUnit);
      return;
    }
    const first = lines.find((l) => l.productId === need.productId);
    lines.push({
      productId: need.productId,
      productName: need.productName,
      categoryId: need.categoryId,
      categoryName: need.categoryName,
      quantity: '',
      unit,
      neededBy: need.neededOn,
      amount: short,
      ...(first ? { unconvertible: `${unit} does not convert to ${first.unit ?? 'pcs'} for this product` } : {}),
    });
  });
  return lines.map(({ amount, ...item }) => ({ ...item, quantity: roundUp(amount) }));
}

/** To 3 decimals, rounding up: a list that says to buy less than is missing would leave a meal short. */
function roundUp(amount: Quantity): string {
  const rounded = amount.toDecimal(3);
  return Quantity.of(rounded).cmp(amount) >= 0 ? rounded : Quantity.of(rounded).add('0.001').toDecimal(3);
}

/** Items grouped by category, categories by name (uncategorised last). */
function groupByCategory(items: ShoppingListItem[]): ShoppingList['byCategory'] {
  const groups = new Map<string, ShoppingList['byCategory'][number]>();
  for (const item of items) {
    const key = item.categoryId ?? '';
    const group = groups.get(key) ?? { categoryId: item.categoryId, categoryName: item.categoryName, items: [] };
    group.items.push(item);
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) => (a.categoryName ?? '\uffff').localeCompare(b.categoryName ?? '\uffff'));
}

/** Options for {@link ShoppingPlanner}. */
export interface ShoppingPlannerOptions {
  /** The unit registry for the shopping list. Default: `createUnitRegistry()`. */
  units?: UnitRegistry;
}

/** "What to buy": the shopping list for one scope's meal plans. */
export class ShoppingPlanner {
  private readonly units: UnitRegistry;

  /** @internal Use `createFoodsave(engine).forUser(id).mealPlans.getShoppingList`. */
  constructor(
    private readonly engine: Engine,
    private readonly scope: Scope,
    options: ShoppingPlannerOptions = {},
  ) {
    this.units = options.units ?? createUnitRegistry();
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
   * const list = await me.mealPlans.getShoppingList({ from: '2026-11-30', to: '2026-12-06' });
   * for (const group of list.byCategory) console.log(group.categoryName, group.items);
   * ```
   */
  async getShoppingList(range: DateRange, options: QueryOptions = {}): Promise<ShoppingList> {
    checkOptions(options, TX, 'shopping list');
    const { from, to } = parseInput(this.engine.inputBounds, dateRangeSchema, range, 'shopping list');
    const { rows: needs } = await this.run<Need>(needsQuery(this.scope.owns(ident('user_id')), from, to), options);
    if (needs.length === 0) return { from, to, items: [], byCategory: [] };
    const { rows: lots } = await this.run<Lot>(
      sql`SELECT id, product_id AS "productId", quantity, unit, expiry_date AS "expiryDate", date_kind AS "dateKind" FROM ${T.pantryItems}
           WHERE ${this.scope.owns(ident('user_id'))} AND product_id = ANY(${[...new Set(needs.map((n) => n.productId))]}::uuid[]) AND quantity > 0
           ORDER BY product_id, ${useFirstOrder()}`,
      options,
    );
    const items = shortfalls(needs, lots, this.units);
    return { from, to, items, byCategory: groupByCategory(items) };
  }

  private run<R extends QueryResultRow>(query: Sql, options: QueryOptions) {
    return runStatement<R>(this.engine, this.scope, 'meal plan', query, options);
  }
}
