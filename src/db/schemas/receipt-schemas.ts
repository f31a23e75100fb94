import { z } from 'zod';
import { boundedList, dateOnly, decimal, jsonObject, unitInterval, uuid } from './common.js';

export const createReceiptSchema = z.strictObject({
  userId: uuid(),
  storeName: z.string().max(255, 'must be at most 255 characters').nullable().optional(),
  /** Not negative (decision 10). */
  totalAmount: decimal(10, 2, { nonNegative: true }).nullable().optional(),
  purchaseDate: dateOnly().nullable().optional(),
  imagePath: z.string().max(500, 'must be at most 500 characters').nullable().optional(),
  ocrConfidence: unitInterval().nullable().optional(),
  metadata: jsonObject().optional(),
  conversationId: uuid().nullable().optional(),
});

export const updateReceiptSchema = createReceiptSchema.omit({ userId: true }).partial();

/** One printed line of a receipt. Prices may be negative: discount lines (decision 10). */
export const receiptItemSchema = z.strictObject({
  productName: z.string().trim().min(1, 'must not be empty').max(255, 'must be at most 255 characters'),
  quantity: decimal(10, 3, { nonNegative: true }).optional(),
  unitPrice: decimal(10, 2).nullable().optional(),
  totalPrice: decimal(10, 2).nullable().optional(),
  categoryId: uuid().nullable().optional(),
  productId: uuid().nullable().optional(),
  unit: z.string().max(50, 'must be at most 50 characters').nullable().optional(),
});

export const receiptItemsSchema = boundedList(receiptItemSchema, 'receiptLines', 'lines');

export type CreateReceiptInput = z.input<typeof createReceiptSchema>;
export type UpdateReceiptInput = z.input<typeof updateReceiptSchema>;
export type ReceiptItemInput = z.input<typeof receiptItemSchema>;
