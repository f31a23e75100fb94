import { z } from 'zod';
import { excerpt, FoodsaveDbError } from '../../errors.js';
import { INPUT_BOUNDS, type InputBound, type InputBounds } from '../../config/input-bounds.js';

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
      ctx.addIssue({ code: 'custom', message: `must be a decimal number such as "12.50", got "${excerpt(value)}"` });
      return z.NEVER;
    }
    const [, sign, whole = '', fraction = ''] = match;
    if (fraction.length > scale) ctx.addIssue({ code: 'custom', message: `must have at most ${scale} decimal places` });
    if (whole.length > intDigits) ctx.addIssue({ code: 'custom', message: `must have at most ${intDigits} digits before the decimal point` });
    if (options.nonNegative && sign === '-' && /[1-9]/.test(value)) ctx.addIssue({ code: 'custom', message: 'must not be negative' });
    return value;
  });
}

export { INPUT_BOUNDS, type InputBound, type InputBounds } from '../../config/input-bounds.js';

/**
 * The bounds the schemas check against while one parse runs: the engine's, set by `parseInput` around
 * its synchronous `safeParse`, so the zod schemas stay the one definition of each input while each
 * engine keeps its own bounds. Outside a parse, the defaults.
 */
let active: InputBounds = INPUT_BOUNDS;

/**
 * Runs `parse`, a synchronous parse with the exported schemas, against `bounds` (an engine's
 * `inputBounds`) instead of the defaults: for a host that validates at its own edge with the same rules
 * its engine applies.
 *
 * @throws {FoodsaveDbError} `INVALID_ARGUMENT` when `parse` returns a promise.
 * @example
 * ```ts
 * import { newMessageSchema, withInputBounds } from 'foodsave-db/schemas';
 *
 * const engine = createEngine({ inputBounds: { messageChars: 500 } });
 * const check = withInputBounds(engine.inputBounds, () => newMessageSchema.safeParse({ content: 'x'.repeat(501), role: 'user' }));
 * console.log(check.success); // false
 * ```
 */
export function withInputBounds<T>(bounds: InputBounds, parse: () => T): T {
  const previous = active;
  active = bounds;
  try {
    const result = parse();
    // An async parse would run its checks after the bounds are put back, against the defaults.
    if (typeof (result as { then?: unknown } | null)?.then === 'function') {
      throw new FoodsaveDbError('INVALID_ARGUMENT', 'withInputBounds takes a synchronous parse (safeParse, not safeParseAsync)');
    }
    return result;
  } finally {
    active = previous;
  }
}

/** A calendar date, `YYYY-MM-DD`, that exists, from year 1 (PostgreSQL has no year 0). */
export const dateOnly = () =>
  z.iso.date({ error: 'must be a date in YYYY-MM-DD form' }).refine((value) => !value.startsWith('0000'), 'must be in year 1 or later');

/** Free text of at most the engine's `bound` characters. */
export const text = (bound: InputBound) =>
  z.string().check((ctx) => {
    const max = active[bound];
    if (ctx.value.length > max) ctx.issues.push({ code: 'custom', message: `must be at most ${max} characters`, input: ctx.value });
  });

/** A list of at most the engine's `bound` items, with `noun` naming them in the message. */
export const boundedList = <T extends z.ZodType>(item: T, bound: InputBound, noun: string) =>
  z.array(item).check((ctx) => {
    const max = active[bound];
    if (ctx.value.length > max) ctx.issues.push({ code: 'custom', message: `must hold at most ${max} ${noun}`, input: ctx.value });
  });

/**
 * A JSON object (not an array, not null), at most {@link INPUT_BOUNDS}.jsonChars serialised and
 * {@link INPUT_BOUNDS}.jsonDepth levels deep. The depth is measured without recursion, so no input can
 * overflow the stack.
 */
export const jsonObject = () =>
  z.record(z.string(), z.unknown(), { error: 'must be a JSON object' }).superRefine((value, ctx) => {
    const depth = jsonDepth(value, active.jsonDepth);
    if (depth > active.jsonDepth) {
      ctx.addIssue({ code: 'custom', message: `must be nested at most ${active.jsonDepth} levels deep` });
      return;
    }
    let size: number;
    try {
      size = JSON.stringify(value).length;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be plain JSON (no cycles, no BigInt)' });
      return;
    }
    if (size > active.jsonChars) ctx.addIssue({ code: 'custom', message: `must be at most ${active.jsonChars} characters as JSON` });
  });

/** The nesting depth of a value, counting stops once past `limit` (so a 100,000-deep value costs little). */
function jsonDepth(root: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (depth > deepest) deepest = depth;
    if (deepest > limit) return deepest;
    for (const child of Object.values(value)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return deepest;
}

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
export const dateRangeSchema = z.strictObject({ from: dateOnly(), to: dateOnly() }).superRefine(({ from, to }, ctx) => {
  const days = (Date.parse(to) - Date.parse(from)) / 86_400_000;
  if (days > active.dateRangeDays) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: `must be at most ${active.dateRangeDays} days after from` });
  }
});
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
