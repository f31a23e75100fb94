import { z } from 'zod';
import { dateOnly, decimal, uuid } from './common.js';

export const createPantryItemSchema = z.strictObject({
  userId: uuid(),
  productId: uuid(),
  /** Not negative (decision 10). */
  quantity: decimal(10, 3, { nonNegative: true }),
  unit: z.string().trim().min(1).max(50, 'must be at most 50 characters').nullable().optional(),
  expiryDate: dateOnly().nullable().optional(),
  notes: z.string().nullable().optional(),
});

export const updatePantryItemSchema = createPantryItemSchema.pick({ quantity: true, unit: true, expiryDate: true, notes: true }).partial();

export type CreatePantryItemInput = z.input<typeof createPantryItemSchema>;
export type UpdatePantryItemInput = z.input<typeof updatePantryItemSchema>;
