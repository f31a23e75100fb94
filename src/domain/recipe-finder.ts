import { z } from 'zod';
import type { Engine } from '../engine/create-engine.js';
import type { QueryOptions } from '../engine/execute.js';
import { createUnitRegistry, type UnitRegistry } from '../values/units.js';
import { checkOptions, TX } from '../db/options.js';
import { runStatement } from '../db/run-statement.js';
import { dateOnly } from '../db/schemas/common.js';
import type { Scope } from '../db/scope.js';
import { ident, sql, type Sql } from '../db/sql.js';
import { T } from '../db/table-metadata.js';
import { parseInput } from '../db/validate.js';
import { daySql } from '../repositories/lot-dates.js';
import { byRank, Kitchen, type Candidate, type CookableRecipe, type PantryData, type Ranked } from './cookable-kitchen.js';
import { compareKeys, CookableWalk, keyOf } from './cookable-walk.js';
import { CATALOGUE_VERSION, catalogueAt } from './recipe-catalogue.js';
import { useFirstOrder } from './use-first.js';

export type { CookableRecipe, IngredientCoverage, LotUse } from './cookable-kitchen.js';

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

const cookableSchema = z.strictObject({
  limit: z.number().int().min(1).max(200).default(20),
  maxMissing: z.number().int().min(0).max(100).default(0),
  expiringWithinDays: z.number().int().min(0).max(365).default(3),
  asOf: dateOnly().optional(),
});

/** The pantry on the day (lots in use-first order) and its products' own unit conversions, in one statement. */
function pantryQuery(owns: Sql, asOf: string | null): Sql {
  return sql`
WITH lots AS MATERIALIZED (
  SELECT p.* FROM ${T.pantryItems} p WHERE ${owns} AND p.quantity > 0
)
SELECT ${daySql(asOf)}::text AS day,
       (SELECT coalesce(json_agg(json_build_object('id', l.id, 'productId', l.product_id, 'quantity', l.quantity::text, 'unit', l.unit,
                                                   'expiryDate', l.expiry_date, 'dateKind', l.date_kind, 'unitPrice', l.unit_price::text) ORDER BY ${useFirstOrder('l')}), '[]')
          FROM lots l) AS lots,
       (SELECT coalesce(json_object_agg(p.id, p.storage_info), '{}') FROM ${T.products} p WHERE p.id IN (SELECT product_id FROM lots)) AS conversions,
       ${CATALOGUE_VERSION} AS "catalogueVersion"`;
}

/** The recipes to evaluate, with their ingredients, in the order given. */
function recipesQuery(ids: string[]): Sql {
  return sql`
SELECT coalesce(json_agg(json_build_object(
         'id', r.id, 'title', r.title, 'servings', r.servings, 'cookingTime', r.cooking_time, 'difficultyLevel', r.difficulty_level, 'tags', r.tags,
         'ingredients', (SELECT coalesce(json_agg(json_build_object('productId', ri.product_id, 'productName', pr.name, 'quantity', ri.quantity::text, 'unit', ri.unit) ORDER BY ri.id), '[]')
                           FROM ${T.recipeIngredients} ri LEFT JOIN ${T.products} pr ON pr.id = ri.product_id WHERE ri.recipe_id = r.id)) ORDER BY c.ord), '[]') AS candidates
  FROM unnest(${ids}::uuid[]) WITH ORDINALITY AS c(id, ord) JOIN ${T.recipes} r ON r.id = c.id`;
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
   * Only the recipes that could still enter the ranking are read: the engine keeps an index of the
   * recipe catalogue (rebuilt when the catalogue changes), bounds each recipe's best possible rank from
   * it, and reads and evaluates recipes best bound first until the last place beats the next bound.
   * A recipe without ingredients is never listed.
   *
   * @example
   * ```ts
   * const [best] = await me.recipes.getCookableRecipes({ maxMissing: 1, limit: 10 });
   * if (best) console.log(best.recipe.title, best.missing, best.expiringLots);
   * ```
   */
  async getCookableRecipes(options: CookableOptions = {}): Promise<CookableRecipe[]> {
    return rankCookable(this.engine, this.scope, this.units, options, 'walk');
  }
}

/**
 * The ranking behind {@link RecipeFinder.getCookableRecipes}. `walk` reads only the recipes that could
 * still rank; `every` reads and evaluates every recipe of the catalogue, which is what the walk must
 * equal (for tests).
 *
 * @internal
 */
export async function rankCookable(engine: Engine, scope: Scope, units: UnitRegistry, options: CookableOptions, how: 'walk' | 'every'): Promise<CookableRecipe[]> {
  checkOptions(options, [...TX, 'limit', 'maxMissing', 'expiringWithinDays', 'asOf'], 'cookable recipes');
  const { limit, maxMissing, expiringWithinDays, asOf } = parseInput(
    engine.inputBounds,
    cookableSchema,
    { limit: options.limit, maxMissing: options.maxMissing, expiringWithinDays: options.expiringWithinDays, asOf: options.asOf },
    'cookable recipes',
  );
  const pantry = (await runStatement<PantryData>(engine, scope, 'recipe', pantryQuery(scope.owns(ident('p', 'user_id')), asOf ?? null), options)).rows[0]!;
  const catalogue = await catalogueAt(engine, scope, pantry.catalogueVersion, options);
  const kitchen = new Kitchen(pantry, units, expiringWithinDays);
  const ranked: Ranked[] = [];
  const evaluate = async (ids: string[]) => {
    const { rows } = await runStatement<{ candidates: Candidate[] }>(engine, scope, 'recipe', recipesQuery(ids), options);
    for (const recipe of rows[0]!.candidates) {
      const r = kitchen.evaluate(recipe);
      if (r.result.missingCount <= maxMissing) ranked.push(r);
    }
    ranked.sort(byRank).splice(limit);
  };
  if (how === 'every') {
    // A recipe without ingredients is never listed (the walk never reaches one).
    await evaluate(catalogue.recipes.filter((r) => r.ingredientCount > 0).map((r) => r.id));
    return ranked.map((r) => r.result);
  }
  const walk = new CookableWalk(catalogue, kitchen, maxMissing, limit);
  // Read and evaluate the most promising recipes in growing batches, until no recipe left could rank.
  for (let batch = limit; ; batch *= 2) {
    const ids = walk.take(batch).map((r) => catalogue.recipes[r]!.id);
    if (ids.length === 0) break;
    await evaluate(ids);
    const next = walk.peek();
    if (!next || (ranked.length === limit && compareKeys(keyOf(ranked[limit - 1]!), next) < 0)) break;
  }
  return ranked.map((r) => r.result);
}
