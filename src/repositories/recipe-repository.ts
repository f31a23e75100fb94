import { z } from 'zod';
import type { Engine } from '../engine/create-engine.js';
import type { QueryOptions } from '../engine/sql.js';
import { inTransaction } from '../engine/with-transaction.js';
import type { Recipe } from '../models/recipe.js';
import type { RecipeIngredient } from '../models/recipe-ingredient.js';
import { BaseRepository, type RecordOf } from './base-repository.js';
import {
  createRecipeSchema,
  recipeCategoryIdsSchema,
  recipeIngredientsSchema,
  updateRecipeSchema,
  type CreateRecipeInput,
  type RecipeIngredientInput,
} from './schemas/recipe-schemas.js';
import { parseInput } from './validate.js';
import { dateOnly } from './schemas/common.js';
import { createUnitRegistry, unitTable, type UnitRegistry } from '../domain/units.js';

export type RecipeRecord = RecordOf<Recipe>;
export type RecipeIngredientRecord = RecordOf<RecipeIngredient>;
export type RecipeWithIngredients = RecipeRecord & { ingredients: RecipeIngredientRecord[]; categoryIds: string[] };

/** Options for {@link RecipeRepository.getCookableRecipes}. */
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

/** A recipe ranked by {@link RecipeRepository.getCookableRecipes}. */
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

/**
 * Unit conversion inside SQL: $2..$4 are the unit table (unit, dimension, size), $5..$6 the aliases.
 * A lot's quantity converts into the ingredient's unit by the sizes when both are in one dimension, or
 * through one product conversion (1 X = q Z) in either direction; otherwise the lot does not count.
 */
const COOKABLE_SQL = `
WITH u(unit, dim, size) AS (SELECT * FROM unnest($2::text[], $3::text[], $4::numeric[])),
al(alias, unit) AS (SELECT * FROM unnest($5::text[], $6::text[])),
day AS (SELECT coalesce($7::date, current_date) AS d),
lots AS MATERIALIZED (
  SELECT p.id, p.product_id, p.quantity, p.unit, p.expiry_date, p.opened_at, p.added_date, p.unit_price
    FROM pantry_items p, day
   WHERE p.user_id = $1 AND p.quantity > 0 AND (p.expiry_date IS NULL OR p.expiry_date >= day.d)
),
-- Only the ingredient rows that touch the pantry, found through the product index.
raw AS MATERIALIZED (
  SELECT ri.id AS ingredient_id, ri.recipe_id, ri.quantity AS needed, coalesce(al.unit, lower(trim(ri.unit))) AS ing_unit,
         l.id AS lot_id, l.product_id, l.expiry_date, l.opened_at, l.added_date, l.unit_price, l.unit AS lot_unit, l.quantity
    FROM lots l
    JOIN recipe_ingredients ri ON ri.product_id = l.product_id
    LEFT JOIN al ON al.alias = lower(trim(ri.unit))
),
-- One conversion factor per (product, lot unit, ingredient unit), not per row.
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
),
pairs AS (
  SELECT raw.*, raw.quantity * f.factor AS qty, f.factor
    FROM raw JOIN factors f
      ON f.product_id = raw.product_id AND f.lot_unit IS NOT DISTINCT FROM raw.lot_unit AND f.ing_unit IS NOT DISTINCT FROM raw.ing_unit
),
-- How much each lot would give, in use-first order, until the ingredient is covered.
used AS (
  SELECT pairs.*,
         greatest(0, least(qty, coalesce(needed, qty) - coalesce(sum(qty) OVER (
           PARTITION BY ingredient_id ORDER BY expiry_date NULLS LAST, (opened_at IS NULL), added_date, lot_id
           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0))) AS take
    FROM pairs
),
per_ing AS MATERIALIZED (
  SELECT ingredient_id, recipe_id, needed, round(sum(qty), 6) AS have,
         min(expiry_date) FILTER (WHERE take > 0) AS soonest,
         coalesce(sum(take / factor * unit_price) FILTER (WHERE take > 0 AND expiry_date <= (SELECT d FROM day) + $8::int), 0) AS saved,
         json_agg(json_build_object('lotId', lot_id, 'productId', product_id, 'expiryDate', expiry_date,
                                    'quantity', round(take / factor, 3)::text, 'unit', lot_unit) ORDER BY expiry_date)
           FILTER (WHERE take > 0 AND expiry_date <= (SELECT d FROM day) + $8::int) AS expiring_lots
    FROM used GROUP BY ingredient_id, recipe_id, needed
),
ranked AS (
  SELECT r.id, r.title,
         r.ingredient_count - count(*) FILTER (WHERE CASE WHEN p.needed IS NULL OR p.needed = 0 THEN p.have > 0 ELSE p.have >= p.needed END) AS missing_count,
         round(sum(CASE WHEN p.needed IS NULL OR p.needed = 0 THEN (p.have > 0)::int::numeric ELSE least(p.have / p.needed, 1) END)
               / greatest(r.ingredient_count, 1), 4) AS coverage,
         min(p.soonest) AS soonest, round(sum(p.saved), 2) AS saved
    FROM per_ing p JOIN recipes r ON r.id = p.recipe_id
   GROUP BY r.id, r.title, r.ingredient_count
  HAVING r.ingredient_count - count(*) FILTER (WHERE CASE WHEN p.needed IS NULL OR p.needed = 0 THEN p.have > 0 ELSE p.have >= p.needed END) <= $9
   ORDER BY soonest NULLS LAST, coverage DESC, missing_count, saved DESC, r.title, r.id
   LIMIT $10
)
-- Details only for the recipes returned: one join, per_ing hashed once.
SELECT json_build_object('id', r.id, 'title', r.title, 'servings', r.servings, 'cookingTime', r.cooking_time,
                         'difficultyLevel', r.difficulty_level, 'tags', r.tags) AS recipe,
       k.coverage::text AS coverage, k.missing_count::int AS "missingCount", k.soonest AS "soonestExpiry", k.saved::text AS "savedValue",
       json_agg(json_build_object(
         'productId', ri.product_id, 'productName', pr.name, 'needed', ri.quantity::text,
         -- LEAST ignores NULLs, so an ingredient with no lot at all must be 0 before it is compared.
         'have', round(CASE WHEN ri.quantity IS NULL THEN coalesce(pi.have, 0) ELSE least(coalesce(pi.have, 0), ri.quantity) END, 3)::text,
         'unit', coalesce(al.unit, lower(trim(ri.unit))),
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

const recipeWithIngredientsSchema = z.strictObject({
  recipe: createRecipeSchema,
  ingredients: recipeIngredientsSchema,
  categoryIds: recipeCategoryIdsSchema,
});
const tagsSchema = z.strictObject({ tags: z.array(z.string().min(1)).min(1, 'must name at least one tag') });

const INGREDIENT_COLUMNS = 'id, recipe_id AS "recipeId", product_id AS "productId", quantity, unit, notes';

/** Recipes with their ingredients and categories. Recipes are shared by all users. */
export class RecipeRepository extends BaseRepository<Recipe, typeof createRecipeSchema, typeof updateRecipeSchema> {
  private readonly units: UnitRegistry;

  /**
   * @param engine - the engine
   * @param options - `units`: the unit registry ingredient units are read with. Default: `createUnitRegistry()`.
   */
  constructor(engine: Engine, options: { units?: UnitRegistry } = {}) {
    super(engine, engine.models.Recipe, { create: createRecipeSchema, update: updateRecipeSchema }, 'recipe', null);
    this.units = options.units ?? createUnitRegistry();
  }

  /** The name for {@link createWithIngredients}: a recipe, its ingredients and categories, atomically. */
  createRecipe(recipe: CreateRecipeInput, ingredients: RecipeIngredientInput[], categoryIds: string[] = [], options: QueryOptions = {}): Promise<RecipeWithIngredients> {
    return this.createWithIngredients(recipe, ingredients, categoryIds, options);
  }

  /**
   * Recipes the user can cook now, or nearly, ranked to save food: first those whose ingredients would
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
   * const [best] = await repos.recipes.getCookableRecipes(userId, { maxMissing: 1, limit: 10 });
   * console.log(best.title, best.missing, best.expiringLots);
   * ```
   */
  async getCookableRecipes(userId: string, options: CookableOptions = {}): Promise<CookableRecipe[]> {
    this.checkUserId(userId);
    const { limit, maxMissing, expiringWithinDays, asOf } = parseInput(
      cookableSchema,
      { limit: options.limit, maxMissing: options.maxMissing, expiringWithinDays: options.expiringWithinDays, asOf: options.asOf },
      'cookable recipes',
    );
    const table = unitTable();
    const aliases = this.units.aliasEntries();
    const { rows } = await this.run<CookableRow>(COOKABLE_SQL, [
      userId,
      table.map((u) => u.unit),
      table.map((u) => u.dimension),
      table.map((u) => u.size),
      aliases.map(([alias]) => alias),
      aliases.map(([, unit]) => unit),
      asOf ?? null,
      expiringWithinDays,
      maxMissing,
      limit,
    ], options);
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

  /**
   * Creates a recipe with its ingredients and categories, all or nothing.
   *
   * @throws {ValidationError} with paths such as `ingredients.2.quantity`; nothing is written.
   * @throws {NotFoundError} when a product or category does not exist; nothing is written.
   * @example
   * ```ts
   * const soup = await repos.recipes.createWithIngredients(
   *   { title: 'Spinach soup', servings: 2, tags: ['quick'] },
   *   [{ productId: spinachId, quantity: '250', unit: 'g' }],
   *   [soupsCategoryId],
   * );
   * ```
   */
  async createWithIngredients(
    recipe: CreateRecipeInput,
    ingredients: RecipeIngredientInput[],
    categoryIds: string[] = [],
    options: QueryOptions = {},
  ): Promise<RecipeWithIngredients> {
    const parsed = parseInput(
      recipeWithIngredientsSchema,
      { recipe, ingredients, categoryIds },
      'create recipe',
    );
    const work = async (transaction: NonNullable<QueryOptions['transaction']>) => {
      const { rows } = await this.insertRows([parsed.recipe], { transaction });
      const created = rows[0]!;
      const items = parsed.ingredients;
      if (items.length > 0) {
        await this.run(
          `INSERT INTO recipe_ingredients (recipe_id, product_id, quantity, unit, notes)
           SELECT $1, u.product_id, u.quantity, u.unit, u.notes
             FROM unnest($2::uuid[], $3::numeric[], $4::text[], $5::text[]) AS u(product_id, quantity, unit, notes)`,
          [created.id, items.map((i) => i.productId), items.map((i) => i.quantity ?? null), items.map((i) => i.unit ?? null), items.map((i) => i.notes ?? null)],
          { transaction },
        );
      }
      if (parsed.categoryIds.length > 0) {
        await this.run(
          'INSERT INTO recipe_categories (recipe_id, category_id) SELECT $1, unnest($2::uuid[])',
          [created.id, [...new Set(parsed.categoryIds)]],
          { transaction },
        );
      }
      return (await this.getWithIngredients(created.id as string, { transaction }))!;
    };
    return inTransaction(this.engine, options.transaction, work);
  }

  /**
   * A recipe with its ingredients and category ids; `null` if there is none.
   *
   * @example
   * ```ts
   * const recipe = await repos.recipes.getWithIngredients(recipeId);
   * ```
   */
  async getWithIngredients(recipeId: string, options: QueryOptions = {}): Promise<RecipeWithIngredients | null> {
    this.checkId(recipeId, 'recipeId');
    const recipe = await this.get(recipeId, options);
    if (!recipe) return null;
    const [ingredients, categories] = await Promise.all([
      this.run<RecipeIngredientRecord>(`SELECT ${INGREDIENT_COLUMNS} FROM recipe_ingredients WHERE recipe_id = $1 ORDER BY id`, [recipeId], options),
      this.run<{ id: string }>('SELECT category_id AS id FROM recipe_categories WHERE recipe_id = $1 ORDER BY category_id', [recipeId], options),
    ]);
    return { ...recipe, ingredients: ingredients.rows, categoryIds: categories.rows.map((r) => r.id) };
  }

  /**
   * Recipes carrying every one of the given tags, by title.
   *
   * @example
   * ```ts
   * const quickVegan = await repos.recipes.findByTags(['quick', 'vegan']);
   * ```
   */
  async findByTags(tags: string[], options: QueryOptions = {}): Promise<RecipeRecord[]> {
    parseInput(tagsSchema, { tags }, 'find recipes');
    const { rows } = await this.run<RecipeRecord>(`SELECT ${this.selectList} FROM recipes WHERE tags @> $1::text[] ORDER BY title, id`, [tags], options);
    return rows;
  }

  /**
   * Recipes in a category (through `recipe_categories`), by title.
   *
   * @example
   * ```ts
   * const soups = await repos.recipes.getByCategory(soupsCategoryId);
   * ```
   */
  async getByCategory(categoryId: string, options: QueryOptions = {}): Promise<RecipeRecord[]> {
    this.checkId(categoryId, 'categoryId');
    const { rows } = await this.run<RecipeRecord>(
      `SELECT ${this.selectListFor('r')} FROM recipes r JOIN recipe_categories rc ON rc.recipe_id = r.id
        WHERE rc.category_id = $1 ORDER BY r.title, r.id`,
      [categoryId],
      options,
    );
    return rows;
  }
}
