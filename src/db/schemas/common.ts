import { z } from 'zod';

/** A UUID, as every primary key is. */
export const uuid = () => z.uuid({ error: 'must be a UUID' });

/**
 * An exact decimal for a NUMERIC(precision, scale) column. Accepts a string (`"12.50"`) or a finite
 * number, and yields the decimal string PostgreSQL receives, so no binary float reaches the database
 * (decision 11). More fraction digits than `scale` are refused rather than silently rounded.
 */
export function decimal(precision: number, scale: number, options: { nonNegative?: boolean } = {}) {
  const intDigits = precision - scale;
  // One regex captures sign, whole and fraction digits; one transform does every check, because this
  // runs for each money and quantity field of every receipt line.
  const pattern = /^(-?)0*(\d*?)(?:\.(\d+))?$/;
  return z.union([z.string(), z.number()], { error: 'must be a decimal number or string' }).transform((input, ctx) => {
    if (typeof input === 'number' && !Number.isFinite(input)) {
      ctx.addIssue({ code: 'custom', message: 'must be a finite number' });
      return z.NEVER;
    }
    const value = typeof input === 'number' ? String(input) : input.trim();
    const match = /^-?\d+(\.\d+)?$/.test(value) ? pattern.exec(value) : null;
    if (!match) {
      ctx.addIssue({ code: 'custom', message: `must be a decimal number such as "12.50", got "${value}"` });
      return z.NEVER;
    }
    const [, sign, whole = '', fraction = ''] = match;
    if (fraction.length > scale) ctx.addIssue({ code: 'custom', message: `must have at most ${scale} decimal places` });
    if (whole.length > intDigits) ctx.addIssue({ code: 'custom', message: `must have at most ${intDigits} digits before the decimal point` });
    if (options.nonNegative && sign === '-' && /[1-9]/.test(value)) ctx.addIssue({ code: 'custom', message: 'must not be negative' });
    return value;
  });
}

/** A calendar date, `YYYY-MM-DD`, that exists. */
export const dateOnly = () =>
  z.iso.date({ error: 'must be a date in YYYY-MM-DD form' });

/** A JSON object (not an array, not null). */
export const jsonObject = () => z.record(z.string(), z.unknown(), { error: 'must be a JSON object' });

/** A probability such as a confidence: between 0 and 1. */
export const unitInterval = () => z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1');

const limit = z.number().int('must be a whole number').min(1, 'must be at least 1').max(1000, 'must be at most 1000');
const offset = z.number().int('must be a whole number').min(0, 'must not be negative').max(1_000_000_000, 'must be at most 1000000000');

/** Paging, everywhere: `{ offset, limit }`. `offset` defaults to 0, `limit` to the method's page size. */
export const pagingSchema = z.strictObject({ offset: offset.optional(), limit: limit.optional() });
export type Paging = z.input<typeof pagingSchema>;

/** A row count limit alone. */
export const limitSchema = z.strictObject({ limit });

/** A date range, everywhere: `{ from, to }`, both `YYYY-MM-DD` and inclusive. */
export const dateRangeSchema = z.strictObject({ from: dateOnly(), to: dateOnly() });
export type DateRange = z.input<typeof dateRangeSchema>;

/**
 * An amount, everywhere: `{ quantity, unit }`; the quantity an exact decimal (up to 12 digits before the
 * point and 20 after, so an exact amount left in a lot can be taken whole), the unit any alias.
 */
export const amountSchema = z.strictObject({
  quantity: decimal(32, 20, { nonNegative: true }),
  unit: z.string().trim().min(1, 'must not be empty').max(50, 'must be at most 50 characters'),
});
export type AmountInput = z.input<typeof amountSchema>;
