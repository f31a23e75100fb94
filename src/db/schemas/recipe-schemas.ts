import { z } from 'zod';
import { boundedList, decimal, text, uuid } from './common.js';

export const createRecipeSchema = z.strictObject({
  title: z.string().trim().min(1, 'must not be empty').max(255, 'must be at most 255 characters'),
  description: text('notesChars').nullable().optional(),
  instructions: text('instructionsChars').nullable().optional(),
  /** Minutes, positive. */
  cookingTime: z.number().int('must be a whole number').positive('must be positive').max(10_080, 'must be at most 10080 (a week)').nullable().optional(),
  difficultyLevel: z.number().int('must be a whole number').min(1, 'must be between 1 and 5').max(5, 'must be between 1 and 5').nullable().optional(),
  servings: z.number().int('must be a whole number').positive('must be positive').max(1000, 'must be at most 1000').nullable().optional(),
  tags: boundedList(z.string().trim().min(1).max(50), 'tags', 'tags').nullable().optional(),
});
export const updateRecipeSchema = createRecipeSchema.partial();

export const recipeIngredientSchema = z.strictObject({
  productId: uuid(),
  quantity: decimal(10, 3, { nonNegative: true }).nullable().optional(),
  unit: z.string().max(50, 'must be at most 50 characters').nullable().optional(),
  notes: text('notesChars').nullable().optional(),
});
export const recipeIngredientsSchema = boundedList(recipeIngredientSchema, 'recipeIngredients', 'ingredients');
export const recipeCategoryIdsSchema = z.array(uuid()).max(50);

export type CreateRecipeInput = z.input<typeof createRecipeSchema>;
export type UpdateRecipeInput = z.input<typeof updateRecipeSchema>;
export type RecipeIngredientInput = z.input<typeof recipeIngredientSchema>;
