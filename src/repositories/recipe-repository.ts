import { z } from 'zod';
import type { Engine } from '../engine/create-engine.js';
import type { QueryOptions } from '../engine/execute.js';
import { inTransaction } from '../db/with-transaction.js';
import type { Recipe } from '../models/recipe.js';
import { checkOptions, TX } from '../db/options.js';
import type { RecipeIngredientRecord, RecipeRecord, RecipeWithIngredients } from '../db/records.js';
import {
  createRecipeSchema,
  recipeCategoryIdsSchema,
  recipeIngredientsSchema,
  updateRecipeSchema,
  type CreateRecipeInput,
  type RecipeIngredientInput,
} from '../db/schemas/recipe-schemas.js';
import { ALL_USERS, checkId } from '../db/scope.js';
import { sql } from '../db/sql.js';
import { T } from '../db/table-metadata.js';
import { parseInput } from '../db/validate.js';
import { BaseRepository } from './base-repository.js';

const recipeWithIngredientsSchema = z.strictObject({
  recipe: createRecipeSchema,
  ingredients: recipeIngredientsSchema,
  categoryIds: recipeCategoryIdsSchema,
});
const tagsSchema = z.strictObject({ tags: z.array(z.string().min(1).max(50)).min(1, 'must name at least one tag').max(50, 'at most 50 tags') });

/** Recipes with their ingredients and categories: the shared catalogue. */
export class RecipeRepository extends BaseRepository<Recipe, typeof createRecipeSchema, typeof updateRecipeSchema> {
  /** @internal Use `createFoodsave(engine).catalog.recipes`. */
  constructor(engine: Engine) {
    super({ engine, scope: ALL_USERS, table: 'recipes', schemas: { create: createRecipeSchema, update: updateRecipeSchema }, entity: 'recipe', ownerColumn: null });
  }

  /**
   * Creates a recipe with its ingredients and categories, all or nothing.
   *
   * @throws {ValidationError} with paths such as `ingredients.2.quantity`; nothing is written.
   * @throws {NotFoundError} when a product or category does not exist; nothing is written.
   */
  async createWithIngredients(
    recipe: CreateRecipeInput,
    ingredients: RecipeIngredientInput[],
    categoryIds: string[] = [],
    options: QueryOptions = {},
  ): Promise<RecipeWithIngredients> {
    checkOptions(options, TX, 'create recipe');
    const parsed = parseInput(this.engine.inputBounds, recipeWithIngredientsSchema, { recipe, ingredients, categoryIds }, 'create recipe');
    return inTransaction(this.engine, options.transaction, async (transaction) => {
      const created = (await this.insertRows([parsed.recipe], { transaction })).rows[0]!;
      const items = parsed.ingredients;
      if (items.length > 0) {
        await this.run(
          sql`INSERT INTO ${T.recipeIngredients} (recipe_id, product_id, quantity, unit, notes)
              SELECT ${created.id}, u.product_id, u.quantity, u.unit, u.notes
                FROM unnest(${items.map((i) => i.productId)}::uuid[], ${items.map((i) => i.quantity ?? null)}::numeric[],
                            ${items.map((i) => i.unit ?? null)}::text[], ${items.map((i) => i.notes ?? null)}::text[]) AS u(product_id, quantity, unit, notes)`,
          { transaction },
        );
      }
      if (parsed.categoryIds.length > 0) {
        await this.run(
          sql`INSERT INTO ${T.recipeCategories} (recipe_id, category_id) SELECT ${created.id}, unnest(${[...new Set(parsed.categoryIds)]}::uuid[])`,
          { transaction },
        );
      }
      return (await this.getWithIngredients(created.id, { transaction }))!;
    });
  }

  /** The name for {@link createWithIngredients}. */
  async createRecipe(recipe: CreateRecipeInput, ingredients: RecipeIngredientInput[], categoryIds: string[] = [], options: QueryOptions = {}): Promise<RecipeWithIngredients> {
    return this.createWithIngredients(recipe, ingredients, categoryIds, options);
  }

  /** A recipe with its ingredients and category ids; `null` if there is none. */
  async getWithIngredients(recipeId: string, options: QueryOptions = {}): Promise<RecipeWithIngredients | null> {
    checkOptions(options, TX, 'get recipe');
    checkId(recipeId, 'recipeId');
    const recipe = await this.get(recipeId, options);
    if (!recipe) return null;
    const [ingredients, categories] = await Promise.all([
      this.run<RecipeIngredientRecord>(
        sql`SELECT ${this.tables.recipeIngredients.select()} FROM ${T.recipeIngredients} WHERE recipe_id = ${recipeId} ORDER BY id`,
        options,
      ),
      this.run<{ id: string }>(sql`SELECT category_id AS id FROM ${T.recipeCategories} WHERE recipe_id = ${recipeId} ORDER BY category_id`, options),
    ]);
    return { ...recipe, ingredients: ingredients.rows, categoryIds: categories.rows.map((r) => r.id) };
  }

  /** Recipes carrying every one of the given tags, by title. */
  async findByTags(tags: string[], options: QueryOptions = {}): Promise<RecipeRecord[]> {
    checkOptions(options, TX, 'find recipes');
    parseInput(this.engine.inputBounds, tagsSchema, { tags }, 'find recipes');
    const { rows } = await this.run<RecipeRecord>(sql`SELECT ${this.meta.select()} FROM ${T.recipes} WHERE tags @> ${tags}::text[] ORDER BY title, id`, options);
    return rows;
  }

  /** Recipes in a category (through `recipe_categories`), by title. */
  async getByCategory(categoryId: string, options: QueryOptions = {}): Promise<RecipeRecord[]> {
    checkOptions(options, TX, 'recipes by category');
    checkId(categoryId, 'categoryId');
    const { rows } = await this.run<RecipeRecord>(
      sql`SELECT ${this.meta.select('r')} FROM ${T.recipes} r JOIN ${T.recipeCategories} rc ON rc.recipe_id = r.id
           WHERE rc.category_id = ${categoryId} ORDER BY r.title, r.id`,
      options,
    );
    return rows;
  }
}
