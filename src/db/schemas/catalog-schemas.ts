import { z } from 'zod';
import { productStorageInfoSchema } from '../../values/units.js';
import { jsonObject, text, uuid } from './common.js';

export const createCategorySchema = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
  parentId: uuid().nullable().optional(),
  description: text('notesChars').nullable().optional(),
});
export const updateCategorySchema = createCategorySchema.partial();

export const createProductSchema = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(255, 'must be at most 255 characters'),
  categoryId: uuid().nullable().optional(),
  nutritionalInfo: jsonObject().optional(),
  /** Shelf life and unit conversions, checked as {@link productStorageInfoSchema} reads them. */
  storageInfo: jsonObject()
    .superRefine((value, ctx) => {
      const parsed = productStorageInfoSchema.safeParse(value);
      if (!parsed.success) for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    })
    .optional(),
});
export const updateProductSchema = createProductSchema.partial();

export type CreateCategoryInput = z.input<typeof createCategorySchema>;
export type UpdateCategoryInput = z.input<typeof updateCategorySchema>;
export type CreateProductInput = z.input<typeof createProductSchema>;
export type UpdateProductInput = z.input<typeof updateProductSchema>;
