import { z } from 'zod';
import type { Engine } from '../engine/create-engine.js';
import type { QueryOptions } from '../engine/execute.js';
import { createUnitRegistry, unitTable, type UnitRegistry } from '../values/units.js';
import { checkOptions, TX } from '../db/options.js';
import { runStatement } from '../db/run-statement.js';
import { dateOnly } from '../db/schemas/common.js';
import type { Scope } from '../db/scope.js';
import { ident, sql, type Sql } from '../db/sql.js';
import { parseInput } from '../db/validate.js';
import { useFirstOrder } from './use-first.js';

/** Options for {@link RecipeFinder.getCookableRecipes}. */
export interface CookableOptions extends QueryOptions {
  /** At most this many recipes. Default: 20. */
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
  needed: string | null;
  have: string;
  unit: string | null;
}

/** A recipe ranked by {@link RecipeFinder.getCookableRecipes}. */
export interface CookableRecipe {
  recipe: { id: string; title: string; servings: number | null; cookingTime: number | null; difficultyLevel: number | null; tags: string[] | null };
  /** Mean share of each ingredient covered, 0..1, as a decimal string. */
  coverage: string;
  missingCount: number;
  covered: IngredientCoverage[];
  missing: IngredientCoverage[];
  /** The soon-expiring lots the recipe would use, and how much of each (in the lot's unit). */
  expiringLots: { lotId: string; productId: string; expiryDate: string; quantity: string; unit: string }[];
  /** The earliest expiry among the lots it would use. */
  soonestExpiry: string | null;
  /** The money value of soon-expiring food it would use (from lot prices). */
  savedValue: string;
}

type CookableRow = Omit<CookableRecipe, 'covered' | 'missing' | 'expiringLots'> & {
  ingredients: (IngredientCoverage & { missing: boolean; expiringLots: CookableRecipe['expiringLots'] })[];
};

const cookableSchema = z.strictObject({
  limit: z.number().int().min(1).max(200).default(20),
  maxMissing: z.number().int().min(0).max(100).default(0),
  expiringWithinDays: z.number().int().min(0).max(365).default(3),
  asOf: dateOnly().optional(),
});

function stripMissing(i: IngredientCoverage & { missing: boolean }): IngredientCoverage {
  return { productId: i.productId, productName: i.productName, needed: i.needed, have: i.have, unit: i.unit };
}

/** The parameters of the cookable query. */
interface CookableParams {
  owns: Sql;
  table: ReturnType<typeof unitTable>;
  aliases: (readonly [string, string])[];
  asOf: string | null;
  expiringWithinDays: number;
  maxMissing: number;
  limit: number;
}

/** The unit table, the aliases, the day, the live lots in scope, and the ingredient rows that touch them. */
function pantryCtes(p: CookableParams): Sql {
  const { owns, table, aliases, asOf } = p;
  return sql`WITH u(unit, dim, size) AS (SELECT * FROM unnest(${table.map((u) => u.unit)}::text[], ${table.map((u) => u.dimension)}::text[], ${table.map((u) => u.size)}::numeric[])),
al(alias, unit) AS (SELECT * FROM unnest(${aliases.map(([alias]) => alias)}::text[], ${aliases.map(([, unit]) => unit)}::text[])),
day AS (SELECT coalesce(${asOf}::date, current_date) AS d),
lots AS MATERIALIZED (
  SELECT p.id, p.product_id, p.quantity, p.unit, p.expiry_date, p.opened_at, p.added_date, p.purchase_date, p.unit_price
    FROM pantry_items p, day
   WHERE ${owns} AND p.quantity > 0 AND (p.expiry_date IS NULL OR p.expiry_date >= day.d)
),
-- Only the ingredient rows that touch the pantry, found through the product index.
raw AS MATERIALIZED (
  SELECT ri.id AS ingredient_id, ri.recipe_id, ri.quantity AS needed, coalesce(al.unit, lower(trim(ri.unit)), 'pcs') AS ing_unit,
         l.id AS lot_id, l.product_id, l.expiry_date, l.opened_at, l.added_date, l.purchase_date, l.unit_price, coalesce(l.unit, 'pcs') AS lot_unit, l.quantity
    FROM lots l
    JOIN recipe_ingredients ri ON ri.product_id = l.product_id
    LEFT JOIN al ON al.alias = lower(trim(ri.unit))
)`;
}

/** One conversion factor per (product, lot unit, ingredient unit). */
function factorsCte(): Sql {
  return sql`-- One conversion factor per (product, lot unit, ingredient unit), not per row.
factors AS MATERIALIZED (
  SELECT c.product_id, c.lot_unit, c.ing_unit, f.factor
    FROM (SELECT DISTINCT product_id, lot_unit, ing_unit FROM raw) c
    JOIN products pr ON pr.id = c.product_id
    CROSS JOIN LATERAL (SELECT coalesce(pr.storage_info, '{}') AS info) i
    CROSS JOIN LATERAL (
      SELECT CASE WHEN c.lot_unit = c.ing_unit OR (c.lot_unit IS NULL AND c.ing_unit IS NULL) THEN 1::numeric ELSE coalesce(
        (SELECT ul.size / ui.size FROM u ul, u ui
          WHERE ul.unit = c.lot_unit AND ui.unit = c.ing_unit AND ul.dim = ui.dim AND ul.size IS NOT NULL AND ui.size IS NOT NULL),
        (SELECT (i.info->'units'->c.lot_unit->>'quantity')::numeric * uz.size / ui.size FROM u uz, u ui
          WHERE uz.unit = coalesce((SELECT a.unit FROM al a WHERE a.alias = lower(i.info->'units'->c.lot_unit->>'unit')), i.info->'units'->c.lot_unit->>'unit')
            AND ui.unit = c.ing_unit AND uz.dim = ui.dim AND uz.size IS NOT NULL AND ui.size IS NOT NULL),
        (SELECT ul.size / ((i.info->'units'->c.ing_unit->>'quantity')::numeric * uz.size) FROM u ul, u uz
          WHERE uz.unit = coalesce((SELECT a.unit FROM al a WHERE a.alias = lower(i.info->'units'->c.ing_unit->>'unit')), i.info->'units'->c.ing_unit->>'unit')
            AND ul.unit = c.lot_unit AND ul.dim = uz.dim AND ul.size IS NOT NULL AND uz.size IS NOT NULL
            AND (i.info->'units'->c.ing_unit->>'quantity')::numeric > 0)
      ) END AS factor
    ) f
   WHERE f.factor > 0
)`;
}

/** How much of each ingredient the lots cover, in use-first order, and what that saves. */
function coverageCtes(p: CookableParams): Sql {
  const { expiringWithinDays } = p;
  return sql`pairs AS (
  SELECT raw.*, raw.quantity * f.factor AS qty, f.factor
    FROM raw JOIN factors f
      ON f.product_id = raw.product_id AND f.lot_unit IS NOT DISTINCT FROM raw.lot_unit AND f.ing_unit IS NOT DISTINCT FROM raw.ing_unit
),
-- How much each lot would give, in use-first order, until the ingredient is covered.
used AS (
  SELECT pairs.*,
         greatest(0, least(qty, coalesce(needed, qty) - coalesce(sum(qty) OVER (
           PARTITION BY ingredient_id ORDER BY ${useFirstOrder(undefined, 'lot_id')}
           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0))) AS take
    FROM pairs
),
per_ing AS MATERIALIZED (
  SELECT ingredient_id, recipe_id, needed, round(sum(qty), 6) AS have,
         min(expiry_date) FILTER (WHERE take > 0) AS soonest,
         coalesce(sum(take / factor * unit_price) FILTER (WHERE take > 0 AND expiry_date <= (SELECT d FROM day) + ${expiringWithinDays}::int), 0) AS saved,
         json_agg(json_build_object('lotId', lot_id, 'productId', product_id, 'expiryDate', expiry_date,
                                    'quantity', round(take / factor, 3)::text, 'unit', lot_unit) ORDER BY expiry_date)
           FILTER (WHERE take > 0 AND expiry_date <= (SELECT d FROM day) + ${expiringWithinDays}::int) AS expiring_lots
    FROM used GROUP BY ingredient_id, recipe_id, needed
)`;
}

/** The recipes ranked, cut to `maxMissing` and `limit`. */
function rankedCte(p: CookableParams): Sql {
  const { maxMissing, limit } = p;
  // A recipe none of whose ingredients is in stock still counts when its missing count is within bounds.
  return sql`ranked AS (
  SELECT * FROM (
    SELECT r.id, r.title,
           r.ingredient_count - count(*) FILTER (WHERE CASE WHEN p.needed IS NULL OR p.needed = 0 THEN p.have > 0 ELSE p.have >= p.needed END) AS missing_count,
           round(sum(CASE WHEN p.needed IS NULL OR p.needed = 0 THEN (p.have > 0)::int::numeric ELSE least(p.have / p.needed, 1) END)
                 / greatest(r.ingredient_count, 1), 4) AS coverage,
           min(p.soonest) AS soonest, round(sum(p.saved), 2) AS saved
      FROM per_ing p JOIN recipes r ON r.id = p.recipe_id
     GROUP BY r.id, r.title, r.ingredient_count
    HAVING r.ingredient_count - count(*) FILTER (WHERE CASE WHEN p.needed IS NULL OR p.needed = 0 THEN p.have > 0 ELSE p.have >= p.needed END) <= ${maxMissing}
    UNION ALL
    SELECT r.id, r.title, r.ingredient_count, 0.0000::numeric(5,4), NULL::date, 0.00::numeric(12,2)
      FROM recipes r
     WHERE r.ingredient_count BETWEEN 1 AND ${maxMissing} AND NOT EXISTS (SELECT 1 FROM per_ing p WHERE p.recipe_id = r.id)
  ) candidates
   ORDER BY soonest NULLS LAST, coverage DESC, missing_count, saved DESC, title, id
   LIMIT ${limit}
)`;
}

/** Details for the returned recipes only. */
function detailsSelect(): Sql {
  return sql`-- Details only for the recipes returned: one join, per_ing hashed once.
SELECT json_build_object('id', r.id, 'title', r.title, 'servings', r.servings, 'cookingTime', r.cooking_time,
                         'difficultyLevel', r.difficulty_level, 'tags', r.tags) AS recipe,
       k.coverage::text AS coverage, k.missing_count::int AS "missingCount", k.soonest AS "soonestExpiry", k.saved::text AS "savedValue",
       json_agg(json_build_object(
         'productId', ri.product_id, 'productName', pr.name, 'needed', ri.quantity::text,
         -- LEAST ignores NULLs, so an ingredient with no lot at all must be 0 before it is compared.
         'have', round(CASE WHEN ri.quantity IS NULL THEN coalesce(pi.have, 0) ELSE least(coalesce(pi.have, 0), ri.quantity) END, 3)::text,
         'unit', coalesce(al.unit, lower(trim(ri.unit)), 'pcs'),
         'missing', CASE WHEN ri.quantity IS NULL OR ri.quantity = 0 THEN coalesce(pi.have, 0) = 0 ELSE coalesce(pi.have, 0) < ri.quantity END,
         'expiringLots', coalesce(pi.expiring_lots, '[]'))
         ORDER BY ri.id) AS ingredients
  FROM ranked k
  JOIN recipes r ON r.id = k.id
  JOIN recipe_ingredients ri ON ri.recipe_id = k.id
  LEFT JOIN per_ing pi ON pi.ingredient_id = ri.id
  LEFT JOIN products pr ON pr.id = ri.product_id
  LEFT JOIN al ON al.alias = lower(trim(ri.unit))
 GROUP BY r.id, k.coverage, k.missing_count, k.soonest, k.saved
 ORDER BY k.soonest NULLS LAST, k.coverage DESC, k.missing_count, k.saved DESC, r.title, r.id`;
}

/**
 * The cookable ranking in one SQL query. Unit conversion happens inside it: `u` is the unit table
 * (unit, dimension, size) and `al` the aliases. A lot's quantity converts into the ingredient's unit by
 * the sizes when both are in one dimension, or through one product conversion (1 X = q Z) in either
 * direction; otherwise the lot does not count. One statement of hand-written CTEs, because the bench shows one
 * round trip beats any composition of smaller queries here; it is assembled from the fragments above.
 */
function cookableQuery(p: CookableParams): Sql {
  return sql`${pantryCtes(p)}, ${factorsCte()}, ${coverageCtes(p)}, ${rankedCte(p)} ${detailsSelect()}`;
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
   * Recipes that can be cooked now, or nearly, ranked to save food: first those whose ingredients would
   * use the lots expiring soonest, then by how much of each ingredient the pantry covers (by amount,
   * unit-converted, across lots, counting only lots not yet expired), then by how few are missing, then
   * by the value of soon-expiring food they would use. One SQL query for all recipes.
   *
   * For each recipe: what is covered, what is missing (with how much), and which soon-expiring lots it
   * would use. Units convert within a dimension, and across through one of the product's own
   * conversions (`storage_info.units`).
   *
   * @example
   * ```ts
   * const [best] = await me.recipes.getCookableRecipes({ maxMissing: 1, limit: 10 });
   * if (best) console.log(best.recipe.title, best.missing, best.expiringLots);
   * ```
   */
  async getCookableRecipes(options: CookableOptions = {}): Promise<CookableRecipe[]> {
    checkOptions(options, [...TX, 'limit', 'maxMissing', 'expiringWithinDays', 'asOf'], 'cookable recipes');
    const { limit, maxMissing, expiringWithinDays, asOf } = parseInput(
      cookableSchema,
      { limit: options.limit, maxMissing: options.maxMissing, expiringWithinDays: options.expiringWithinDays, asOf: options.asOf },
      'cookable recipes',
    );
    const query = cookableQuery({
      owns: this.scope.owns(ident('p', 'user_id')),
      table: unitTable(),
      aliases: this.units.aliasEntries(),
      asOf: asOf ?? null,
      expiringWithinDays,
      maxMissing,
      limit,
    });
    const { rows } = await runStatement<CookableRow>(this.engine, 'recipe', query, { transaction: options.transaction });
    return rows.map((r) => ({
      recipe: r.recipe,
      coverage: r.coverage,
      missingCount: r.missingCount,
      covered: r.ingredients.filter((i) => !i.missing).map(stripMissing),
      missing: r.ingredients.filter((i) => i.missing).map(stripMissing),
      expiringLots: r.ingredients.flatMap((i) => i.expiringLots),
      soonestExpiry: r.soonestExpiry,
      savedValue: r.savedValue,
    }));
  }
}
