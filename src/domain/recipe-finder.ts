import { z } from 'zod';
import type { Engine } from '../engine/create-engine.js';
import type { QueryOptions } from '../engine/execute.js';
import type { DateKind } from '../values/dates.js';
import { Quantity } from '../values/quantity.js';
import { createUnitRegistry, productStorageInfoSchema, type ProductStorageInfo, type UnitRegistry } from '../values/units.js';
import { checkOptions, TX } from '../db/options.js';
import { runStatement } from '../db/run-statement.js';
import { dateOnly } from '../db/schemas/common.js';
import type { Scope } from '../db/scope.js';
import { ident, sql, type Sql } from '../db/sql.js';
import { T } from '../db/table-metadata.js';
import { parseInput } from '../db/validate.js';
import { allocate, type AllocationLot } from './allocate.js';
import { useFirstOrder } from './use-first.js';

/** Options for {@link RecipeFinder.getCookableRecipes}. */
export interface CookableOptions extends QueryOptions {
  /** At most this many recipes. Default: 20, at most 200. */
  limit?: number;
  /** Leave out recipes missing more ingredients than this. Default: 0 (cookable now). */
  maxMissing?: number;
  /** Lots expiring within this many days count as "expiring". Default: 3. */
  expiringWithinDays?: number;
  /** The day to count from, `YYYY-MM-DD`. Default: the server's current date. */
  asOf?: string;
}

/** One ingredient's coverage. Amounts are exact decimal strings in the ingredient's unit. */
export interface IngredientCoverage {
  productId: string | null;
  productName: string | null;
  /** `null` for an ingredient without a quantity ("salt to taste"): covered by any stock of it. */
  needed: string | null;
  have: string;
  /** The ingredient's unit, canonical where known; `pcs` when the recipe gives none. */
  unit: string | null;
}

/** Part of a lot a recipe would take. */
export interface LotUse {
  lotId: string;
  productId: string;
  expiryDate: string | null;
  /** In the lot's unit, exactly as cooking books it (see `Quantity.toStored`). */
  quantity: string;
  unit: string;
}

/** A recipe ranked by {@link RecipeFinder.getCookableRecipes}. */
export interface CookableRecipe {
  recipe: { id: string; title: string; servings: number | null; cookingTime: number | null; difficultyLevel: number | null; tags: string[] | null };
  /** Mean share of each ingredient covered, 0..1, as a decimal string. */
  coverage: string;
  missingCount: number;
  covered: IngredientCoverage[];
  missing: IngredientCoverage[];
  /**
   * Every lot cooking the recipe on the day would take, and how much, in the order it would take them:
   * exactly what `cookRecipe` takes, because both ask the same allocator.
   */
  lotsUsed: LotUse[];
  /** The soon-expiring lots among them. */
  expiringLots: (LotUse & { expiryDate: string })[];
  /** The earliest expiry among the lots it would use. */
  soonestExpiry: string | null;
  /** The money value of soon-expiring food it would use (from lot prices). */
  savedValue: string;
}

const cookableSchema = z.strictObject({
  limit: z.number().int().min(1).max(200).default(20),
  maxMissing: z.number().int().min(0).max(100).default(0),
  expiringWithinDays: z.number().int().min(0).max(365).default(3),
  asOf: dateOnly().optional(),
});

interface PantryLot {
  id: string;
  productId: string;
  quantity: string;
  unit: string | null;
  expiryDate: string | null;
  dateKind: DateKind;
  unitPrice: string | null;
}

interface Candidate {
  id: string;
  title: string;
  servings: number | null;
  cookingTime: number | null;
  difficultyLevel: number | null;
  tags: string[] | null;
  ingredients: { productId: string | null; productName: string | null; quantity: string | null; unit: string | null }[];
}

interface CookableData {
  day: string;
  lots: PantryLot[];
  conversions: Record<string, unknown>;
  candidates: Candidate[];
}

/**
 * The pantry on the day and the recipes worth evaluating against it, in one statement. The SQL only
 * narrows: a recipe is a candidate when no more than `maxMissing` of its ingredients are products the
 * pantry holds none of, whatever the amounts, units and dates (an optimistic bound, so no recipe the
 * allocator would accept is left out). Amounts, units, dates and the use-first draw are the
 * allocator's, in TypeScript, exactly as for cooking.
 */
function cookableQuery(owns: Sql, asOf: string | null, maxMissing: number, limit: number): Sql {
  const recipeJson = (r: string) => sql`json_build_object(
                 'id', ${ident(r)}.id, 'title', ${ident(r)}.title, 'servings', ${ident(r)}.servings, 'cookingTime', ${ident(r)}.cooking_time,
                 'difficultyLevel', ${ident(r)}.difficulty_level, 'tags', ${ident(r)}.tags,
                 'ingredients', (SELECT json_agg(json_build_object('productId', ri.product_id, 'productName', pr.name,
                                                                   'quantity', ri.quantity::text, 'unit', ri.unit) ORDER BY ri.id)
                                   FROM ${T.recipeIngredients} ri LEFT JOIN ${T.products} pr ON pr.id = ri.product_id WHERE ri.recipe_id = ${ident(r)}.id))`;
  return sql`
WITH lots AS MATERIALIZED (
  SELECT p.* FROM ${T.pantryItems} p WHERE ${owns} AND p.quantity > 0
),
present AS (SELECT DISTINCT product_id FROM lots),
-- From each product in the pantry to the recipes that use it: an index-only scan of
-- idx_recipe_ingredients_product_id per product, which carries recipe_id (migration 0008).
hits AS MATERIALIZED (
  SELECT ri.recipe_id, count(*) AS n FROM present JOIN ${T.recipeIngredients} ri ON ri.product_id = present.product_id GROUP BY ri.recipe_id
),
-- A join, so the planner weighs reading the recipes once against a look-up per recipe that touches the
-- pantry: a 200-lot pantry touches most of 10k recipes, where 8,000 look-ups take about twice as long.
touching AS (
  SELECT h.recipe_id AS id FROM hits h JOIN ${T.recipes} r ON r.id = h.recipe_id WHERE r.ingredient_count - h.n <= ${maxMissing}
),
-- Recipes that touch nothing in the pantry rank last, among themselves by how few they miss, then by
-- title: that order is known here, so only the first few of them (up to the limit) are fetched.
untouched AS (
  SELECT r.id FROM ${T.recipes} r
   WHERE r.ingredient_count BETWEEN 1 AND ${maxMissing} AND NOT EXISTS (SELECT 1 FROM hits h WHERE h.recipe_id = r.id)
   ORDER BY r.ingredient_count, r.title COLLATE "C", r.id LIMIT ${limit}
)
SELECT coalesce(${asOf}::date, current_date)::text AS day,
       (SELECT coalesce(json_agg(json_build_object('id', l.id, 'productId', l.product_id, 'quantity', l.quantity::text, 'unit', l.unit,
                                                   'expiryDate', l.expiry_date, 'dateKind', l.date_kind, 'unitPrice', l.unit_price::text) ORDER BY ${useFirstOrder('l')}), '[]')
          FROM lots l) AS lots,
       (SELECT coalesce(json_object_agg(p.id, p.storage_info), '{}') FROM ${T.products} p WHERE p.id IN (SELECT product_id FROM present)) AS conversions,
       (SELECT coalesce(json_agg(${recipeJson('r')}), '[]')
          FROM (SELECT id FROM touching UNION ALL SELECT id FROM untouched) c
          CROSS JOIN LATERAL (SELECT * FROM ${T.recipes} r WHERE r.id = c.id OFFSET 0) r) AS candidates`;
}

/** Options for {@link RecipeFinder}. */
export interface RecipeFinderOptions {
  /** The unit registry ingredient units are read with. Default: `createUnitRegistry()`. */
  units?: UnitRegistry;
}

/** "What can I cook": recipes ranked against one scope's pantry. */
export class RecipeFinder {
  private readonly units: UnitRegistry;

  /** @internal Use `createFoodsave(engine).forUser(id).recipes`. */
  constructor(
    private readonly engine: Engine,
    private readonly scope: Scope,
    options: RecipeFinderOptions = {},
  ) {
    this.units = options.units ?? createUnitRegistry();
  }

  /**
   * Recipes that can be cooked on the day, or nearly, ranked to save food: first those whose ingredients
   * would use the lots expiring soonest, then by how much of each ingredient the pantry covers, then by
   * how few are missing, then by the value of soon-expiring food they would use.
   *
   * Coverage is decided by the same allocator as cooking: lots in use-first order, none expired by the
   * day, units converted exactly (within a dimension, or through the product's own conversions, chained
   * and by alias), and stock never counted twice, also when an ingredient is listed twice. So a recipe
   * reported with nothing missing cooks on that day, taking exactly `lotsUsed`.
   *
   * @example
   * ```ts
   * const [best] = await me.recipes.getCookableRecipes({ maxMissing: 1, limit: 10 });
   * if (best) console.log(best.recipe.title, best.missing, best.expiringLots);
   * ```
   */
  async getCookableRecipes(options: CookableOptions = {}): Promise<CookableRecipe[]> {
    checkOptions(options, [...TX, 'limit', 'maxMissing', 'expiringWithinDays', 'asOf'], 'cookable recipes');
    const { limit, maxMissing, expiringWithinDays, asOf } = parseInput(this.engine.inputBounds, 
      cookableSchema,
      { limit: options.limit, maxMissing: options.maxMissing, expiringWithinDays: options.expiringWithinDays, asOf: options.asOf },
      'cookable recipes',
    );
    const query = cookableQuery(this.scope.owns(ident('p', 'user_id')), asOf ?? null, maxMissing, limit);
    const { rows } = await runStatement<CookableData>(this.engine, this.scope, 'recipe', query, options);
    const data = rows[0]!;
    const kitchen = new Kitchen(data, this.units, expiringWithinDays);
    return data.candidates
      .map((recipe) => kitchen.evaluate(recipe))
      .filter((r) => r.result.missingCount <= maxMissing)
      .sort(byRank)
      .slice(0, limit)
      .map((r) => r.result);
  }
}

/** The order of the ranking: soonest expiry used, coverage, fewest missing, most saved, then by title. */
/** An evaluated recipe with its ranking keys parsed once, not in every comparison of the sort. */
interface Ranked {
  result: CookableRecipe;
  coverage: Quantity;
  saved: Quantity;
}

function byRank({ result: a, ...ka }: Ranked, { result: b, ...kb }: Ranked): number {
  if (a.soonestExpiry !== b.soonestExpiry) {
    if (a.soonestExpiry === null) return 1;
    if (b.soonestExpiry === null) return -1;
    return a.soonestExpiry < b.soonestExpiry ? -1 : 1;
  }
  return (
    kb.coverage.cmp(ka.coverage) ||
    a.missingCount - b.missingCount ||
    kb.saved.cmp(ka.saved) ||
    (a.recipe.title < b.recipe.title ? -1 : a.recipe.title > b.recipe.title ? 1 : 0) ||
    (a.recipe.id < b.recipe.id ? -1 : a.recipe.id > b.recipe.id ? 1 : 0)
  );
}

/** The pantry on one day, against which recipes are evaluated one by one. */
class Kitchen {
  private readonly lotsOf = new Map<string, AllocationLot[]>();
  private readonly byId: Map<string, PantryLot>;
  private readonly conversions = new Map<string, ProductStorageInfo['units']>();
  private readonly horizon: string;

  constructor(
    private readonly data: CookableData,
    private readonly units: UnitRegistry,
    expiringWithinDays: number,
  ) {
    // Each recipe is allocated against its own products' lots only, so a recipe costs its ingredients,
    // not the size of the pantry.
    for (const l of data.lots) {
      const lot = { id: l.id, productId: l.productId, quantity: Quantity.of(l.quantity), unit: l.unit, expiryDate: l.expiryDate, dateKind: l.dateKind };
      this.lotsOf.set(l.productId, [...(this.lotsOf.get(l.productId) ?? []), lot]);
    }
    this.byId = new Map(data.lots.map((l) => [l.id, l]));
    for (const [id, info] of Object.entries(data.conversions)) this.conversions.set(id, productStorageInfoSchema.safeParse(info ?? {}).data?.units);
    const horizon = new Date(`${data.day}T00:00:00Z`);
    horizon.setUTCDate(horizon.getUTCDate() + expiringWithinDays);
    this.horizon = horizon.toISOString().slice(0, 10);
  }

  evaluate(recipe: Candidate): Ranked {
    const ingredients = recipe.ingredients.map((i) => ({ ...i, unit: this.unitOf(i.unit) }));
    const quantified = ingredients.filter((i) => i.productId !== null && i.quantity !== null && Quantity.of(i.quantity).cmp('0') > 0);
    const lots = [...new Set(ingredients.map((i) => i.productId))].flatMap((id) => (id === null ? [] : (this.lotsOf.get(id) ?? [])));
    const { takes, missing, left } = allocate(
      quantified.map((i) => ({ productId: i.productId!, quantity: Quantity.of(i.quantity!), unit: i.unit, day: this.data.day })),
      lots,
      this.units,
      (id) => this.conversions.get(id),
    );
    let share = Quantity.ZERO;
    const coverage = ingredients.map((i) => {
      const index = quantified.indexOf(i);
      const have = index >= 0 ? Quantity.of(i.quantity!).sub(missing[index]!) : this.remaining(i.productId, i.unit, lots, left);
      const isCovered = index >= 0 ? missing[index]!.isZero() : have.cmp('0') > 0;
      share = share.add(index >= 0 ? have.div(i.quantity!) : isCovered ? '1' : '0');
      const line = { productId: i.productId, productName: i.productName, needed: i.quantity, have: have.toDecimal(3), unit: i.unit };
      return { line, isCovered };
    });
    const lotsUsed = takes.map((take) => {
      const lot = this.byId.get(take.lotId)!;
      return { lotId: lot.id, productId: lot.productId, expiryDate: lot.expiryDate, quantity: take.inLotUnit.toStored(), unit: lot.unit ?? 'pcs', take };
    });
    const expiring = lotsUsed.filter((u) => u.expiryDate !== null && u.expiryDate <= this.horizon);
    const saved = expiring.reduce((sum, u) => {
      const price = this.byId.get(u.lotId)!.unitPrice;
      return price === null ? sum : sum.add(u.take.inLotUnit.mul(price));
    }, Quantity.ZERO);
    const dates = lotsUsed.map((u) => u.expiryDate).filter((d): d is string => d !== null);
    const strip = ({ take: _take, ...use }: (typeof lotsUsed)[number]) => use;
    // Ranked by the reported (rounded) coverage and saving, so equal-looking results tie.
    const coverageText = ingredients.length === 0 ? '0.0000' : share.div(String(ingredients.length)).toDecimal(4);
    const savedText = saved.toDecimal(2);
    const result: CookableRecipe = {
      recipe: { id: recipe.id, title: recipe.title, servings: recipe.servings, cookingTime: recipe.cookingTime, difficultyLevel: recipe.difficultyLevel, tags: recipe.tags },
      coverage: coverageText,
      missingCount: coverage.filter((c) => !c.isCovered).length,
      covered: coverage.filter((c) => c.isCovered).map((c) => c.line),
      missing: coverage.filter((c) => !c.isCovered).map((c) => c.line),
      lotsUsed: lotsUsed.map(strip),
      expiringLots: expiring.map(strip) as CookableRecipe['expiringLots'],
      soonestExpiry: dates.length === 0 ? null : dates.reduce((a, b) => (a < b ? a : b)),
      savedValue: savedText,
    };
    return { result, coverage: Quantity.of(coverageText), saved: Quantity.of(savedText) };
  }

  /** For an ingredient without a quantity: what stock of it is left on the day, in its unit. */
  private remaining(productId: string | null, unit: string, lots: AllocationLot[], left: Map<string, Quantity>): Quantity {
    if (productId === null) return Quantity.ZERO;
    const rest = lots.map((l) => ({ ...l, quantity: left.get(l.id)! }));
    const probe = allocate([{ productId, quantity: Quantity.of('1000000000'), unit, day: this.data.day }], rest, this.units, (id) => this.conversions.get(id));
    return Quantity.of('1000000000').sub(probe.missing[0]!);
  }

  private unitOf(unit: string | null): string {
    if (unit === null || unit.trim() === '') return 'pcs';
    return this.units.tryNormalize(unit) ?? unit.trim().toLowerCase();
  }
}
