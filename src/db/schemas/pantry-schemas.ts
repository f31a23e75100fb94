import { z } from 'zod';
import { DATE_KINDS } from '../../values/dates.js';
import { Quantity } from '../../values/quantity.js';
import { dateOnly, decimal, text, uuid } from './common.js';

export const createPantryItemSchema = z.strictObject({
  userId: uuid(),
  productId: uuid(),
  /** Not negative (decision 10). Stored as `Quantity.toStored` writes it, like every pantry amount. */
  quantity: decimal(10, 3, { nonNegative: true }).transform((value) => Quantity.of(value).toStored()),
  unit: z.string().trim().min(1).max(50, 'must be at most 50 characters').nullable().optional(),
  expiryDate: dateOnly().nullable().optional(),
  notes: text('notesChars').nullable().optional(),
  /** Default: the product's `storage_info.dateKind`, else `use_by`. */
  dateKind: z.enum(DATE_KINDS, { error: `must be one of ${DATE_KINDS.join(', ')}` }).optional(),
});

export const updatePantryItemSchema = createPantryItemSchema.pick({ quantity: true, unit: true, expiryDate: true, notes: true, dateKind: true }).partial();

export type CreatePantryItemInput = z.input<typeof createPantryItemSchema>;
export type UpdatePantryItemInput = z.input<typeof updatePantryItemSchema>;
