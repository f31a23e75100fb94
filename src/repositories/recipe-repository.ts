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

export type RecipeRecord = RecordOf<Recipe>;
export type RecipeIngredientRecord = RecordOf<RecipeIngredient>;
export type RecipeWithIngredients = RecipeRecord & { ingredients: RecipeIngredientRecord[]; categoryIds: string[] };

const recipeWithIngredientsSchema = z.strictObject({
  recipe: createRecipeSchema,
  ingredients: recipeIngredientsSchema,
  categoryIds: recipeCategoryIdsSchema,
});
const tagsSchema = z.strictObject({ tags: z.array(z.string().min(1)).min(1, 'must name at least one tag') });

const INGREDIENT_COLUMNS = 'id, recipe_id AS "recipeId", product_id AS "productId", quantity, unit, notes';

/** Recipes with their ingredients and categories. Recipes are shared by all users. */
export class RecipeRepository extends BaseRepository<Recipe, typeof createRecipeSchema, typeof updateRecipeSchema> {
  constructor(engine: Engine) {
    super(engine, engine.models.Recipe, { create: createRecipeSchema, update: updateRecipeSchema }, 'recipe', null);
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
