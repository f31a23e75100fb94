import { z } from 'zod';
import { MEAL_TYPES } from '../../models/meal-plan.js';
import { dateOnly, decimal, text, uuid } from './common.js';

export const createMealPlanSchema = z.strictObject({
  userId: uuid(),
  planDate: dateOnly(),
  mealType: z.enum(MEAL_TYPES, { error: `must be one of ${MEAL_TYPES.join(', ')}` }).nullable().optional(),
  recipeId: uuid().nullable().optional(),
  notes: text('notesChars').nullable().optional(),
});
export const updateMealPlanSchema = createMealPlanSchema.omit({ userId: true }).partial();

/** A recipe (with servings) or a product (with quantity and unit): exactly one of the two (decision 8). */
export const mealPlanItemSchema = z
  .strictObject({
    recipeId: uuid().nullable().optional(),
    productId: uuid().nullable().optional(),
    servings: z.number().int('must be a whole number').positive('must be positive').max(1000, 'must be at most 1000').nullable().optional(),
    quantity: decimal(10, 3, { nonNegative: true }).nullable().optional(),
    unit: z.string().max(50, 'must be at most 50 characters').nullable().optional(),
    notes: text('notesChars').nullable().optional(),
  })
  .superRefine((item, ctx) => {
    if (Boolean(item.recipeId) === Boolean(item.productId)) {
      ctx.addIssue({ code: 'custom', path: ['recipeId'], message: 'exactly one of recipeId and productId must be set' });
    }
  });

export type CreateMealPlanInput = z.input<typeof createMealPlanSchema>;
export type UpdateMealPlanInput = z.input<typeof updateMealPlanSchema>;
export type MealPlanItemInput = z.input<typeof mealPlanItemSchema>;
