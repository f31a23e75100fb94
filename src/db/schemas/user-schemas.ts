import { z } from 'zod';

/**
 * A user's preferences, as the assistant reads them. Unknown keys are refused so that a typo
 * (`houseHoldSize`) fails loudly instead of being stored and ignored.
 */
export const userPreferencesSchema = z.strictObject({
  /** Diets to respect, such as `vegetarian`. */
  diet: z.array(z.string().trim().min(1).max(50)).max(20).optional(),
  /** Allergens to avoid, such as `peanuts`. */
  allergies: z.array(z.string().trim().min(1).max(50)).max(50).optional(),
  householdSize: z.number().int('must be a whole number').min(1, 'must be at least 1').max(50).optional(),
  /** BCP 47 tag, such as `pl-PL`. */
  locale: z.string().min(2).max(35).optional(),
  /** ISO 4217 code, such as `EUR`. */
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 code').optional(),
  unitSystem: z.enum(['metric', 'imperial']).optional(),
  /** How many days before expiry to remind. */
  expiryReminderDays: z.number().int().min(0).max(60).optional(),
  notifications: z.boolean().optional(),
});

export const createUserSchema = z.strictObject({
  username: z.string().trim().min(1, 'must not be empty').max(50, 'must be at most 50 characters'),
  email: z.email({ error: 'must be an email address' }).max(255, 'must be at most 255 characters'),
  preferences: userPreferencesSchema.optional(),
});

export const updateUserSchema = createUserSchema.partial();

export type UserPreferences = z.infer<typeof userPreferencesSchema>;
export type CreateUserInput = z.input<typeof createUserSchema>;
export type UpdateUserInput = z.input<typeof updateUserSchema>;
