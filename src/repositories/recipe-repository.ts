import { z } from 'zod';
import type { Engine } from '../engine/create-engine.js';
import type { QueryOptions } from '../engine/sql.js';
import { withTransaction } from '../engine/with-transaction.js';
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
lots AS (
  SELECT p.id, p.product_id, p.quantity, p.unit, p.expiry_date, p.opened_at, p.added_date, p.unit_price
    FROM pantry_items p, day
   WHERE p.user_id = $1 AND p.quantity > 0 AND (p.expiry_date IS NULL OR p.expiry_date >= day.d)
),
candidates AS (SELECT DISTINCT ri.recipe_id FROM recipe_ingredients ri WHERE ri.product_id IN (SELECT product_id FROM lots)),
ing AS (
  SELECT ri.id AS ingredient_id, ri.recipe_id, ri.product_id, ri.quantity AS needed,
         coalesce(al.unit, lower(trim(ri.unit))) AS unit, pr.name AS product_name, coalesce(pr.storage_info, '{}') AS info
    FROM recipe_ingredients ri
    JOIN candidates c ON c.recipe_id = ri.recipe_id
    LEFT JOIN al ON al.alias = lower(trim(ri.unit))
    LEFT JOIN products pr ON pr.id = ri.product_id
),
pairs AS (
  SELECT ing.ingredient_id, ing.needed, l.id AS lot_id, l.product_id, l.expiry_date, l.opened_at, l.added_date, l.unit_price,
         l.unit AS lot_unit, l.quantity * f.factor AS qty, f.factor
    FROM ing JOIN lots l ON l.product_id = ing.product_id
    CROSS JOIN LATERAL (
      SELECT CASE WHEN l.unit = ing.unit OR (l.unit IS NULL AND ing.unit IS NULL) THEN 1::numeric ELSE coalesce(
        (SELECT ul.size / ui.size FROM u ul, u ui
          WHERE ul.unit = l.unit AND ui.unit = ing.unit AND ul.dim = ui.dim AND ul.size IS NOT NULL AND ui.size IS NOT NULL),
        (SELECT (ing.info->'units'->l.unit->>'quantity')::numeric * uz.size / ui.size FROM u uz, u ui
          WHERE uz.unit = coalesce((SELECT a.unit FROM al a WHERE a.alias = lower(ing.info->'units'->l.unit->>'unit')), ing.info->'units'->l.unit->>'unit')
            AND ui.unit = ing.unit AND uz.dim = ui.dim AND uz.size IS NOT NULL AND ui.size IS NOT NULL),
        (SELECT ul.size / ((ing.info->'units'->ing.unit->>'quantity')::numeric * uz.size) FROM u ul, u uz
          WHERE uz.unit = coalesce((SELECT a.unit FROM al a WHERE a.alias = lower(ing.info->'units'->ing.unit->>'unit')), ing.info->'units'->ing.unit->>'unit')
            AND ul.unit = l.unit AND ul.dim = uz.dim AND ul.size IS NOT NULL AND uz.size IS NOT NULL
            AND (ing.info->'units'->ing.unit->>'quantity')::numeric > 0)
      ) END AS factor
    ) f
   WHERE f.factor IS NOT NULL AND f.factor > 0
),
used AS (
  SELECT pairs.*,
         greatest(0, least(qty, coalesce(needed, qty) - coalesce(sum(qty) OVER (
           PARTITION BY ingredient_id ORDER BY expiry_date NULLS LAST, (opened_at IS NULL), added_date, lot_id
           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0))) AS take
    FROM pairs
),
per_ing AS (
  SELECT ing.ingredient_id, ing.recipe_id, ing.product_id, ing.product_name, ing.needed, ing.unit,
         round(coalesce(sum(used.qty), 0), 6) AS have,
         min(used.expiry_date) FILTER (WHERE used.take > 0) AS soonest,
         coalesce(sum(used.take / used.factor * used.unit_price)
                  FILTER (WHERE used.take > 0 AND used.expiry_date <= (SELECT d FROM day) + $8::int), 0) AS saved,
         coalesce(json_agg(json_build_object('lotId', used.lot_id, 'productId', used.product_id, 'expiryDate', used.expiry_date,
                                             'quantity', round(used.take / used.factor, 3)::text, 'unit', used.lot_unit)
                           ORDER BY used.expiry_date)
                  FILTER (WHERE used.take > 0 AND used.expiry_date <= (SELECT d FROM day) + $8::int), '[]') AS expiring_lots
    FROM ing LEFT JOIN used ON used.ingredient_id = ing.ingredient_id
   GROUP BY ing.ingredient_id, ing.recipe_id, ing.product_id, ing.product_name, ing.needed, ing.unit
),
per_recipe AS (
  SELECT recipe_id,
         count(*) FILTER (WHERE CASE WHEN needed IS NULL OR needed = 0 THEN have = 0 ELSE have < needed END)::int AS missing_count,
         round(avg(CASE WHEN needed IS NULL OR needed = 0 THEN (have > 0)::int::numeric ELSE least(have / needed, 1) END), 4) AS coverage,
         min(soonest) AS soonest, round(sum(saved), 2) AS saved,
         json_agg(json_build_object(
           'productId', product_id, 'productName', product_name, 'needed', needed::text,
           'have', round(CASE WHEN needed IS NULL THEN have ELSE least(have, needed) END, 3)::text,
           'unit', unit,
           'missing', CASE WHEN needed IS NULL OR needed = 0 THEN have = 0 ELSE have < needed END,
           'expiringLots', expiring_lots) ORDER BY ingredient_id) AS ingredients
    FROM per_ing GROUP BY recipe_id
)
SELECT json_build_object('id', r.id, 'title', r.title, 'servings', r.servings, 'cookingTime', r.cooking_time,
                         'difficultyLevel', r.difficulty_level, 'tags', r.tags) AS recipe,
       p.coverage::text AS coverage, p.missing_count AS "missingCount", p.soonest AS "soonestExpiry",
       p.saved::text AS "savedValue", p.ingredients
  FROM per_recipe p JOIN recipes r ON r.id = p.recipe_id
 WHERE p.missing_count <= $9
 ORDER BY p.soonest NULLS LAST, p.coverage DESC, p.missing_count, p.saved DESC, r.title, r.id
 LIMIT $10`;

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
    return options.transaction ? work(options.transaction) : withTransaction(this.engine, work);
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
