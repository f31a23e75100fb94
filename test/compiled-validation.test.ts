import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { INPUT_BOUNDS } from '../src/config/input-bounds.js';
import { withInputBounds } from '../src/db/schemas/common.js';
import { createReceiptSchema, receiptItemsSchema } from '../src/db/schemas/receipt-schemas.js';
import { compiledOf } from '../src/db/validate.js';

/**
 * parseInput validates with zod's compiled fast path (`z.compile`). It must decide exactly as zod's
 * own parser does: the same answer, the same output, and on failure the same issues, paths and
 * messages, also under an engine's own input bounds.
 */
const withItems = z.strictObject({ receipt: createReceiptSchema.omit({ userId: true }), items: receiptItemsSchema });

const decimalArb = fc.oneof(
  fc.constantFrom('1.5', '2.49', '-3.74', '0', '0007.10', ' 12.5 ', '1.2345', '12345678', '1e3', '', 'abc', '-0', '1.'),
  fc.double({ noNaN: false }),
  fc.integer(),
);
const textArb = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('  ', ' Milk ', 'x'.repeat(256), 'kg', '\u0000', '\uD800', 'y'.repeat(51)));
const uuidArb = fc.oneof(fc.uuid(), fc.constantFrom('not-a-uuid', '00000000-0000-0000-0000-000000000000', 'FFFFFFFF-FFFF-4FFF-BFFF-FFFFFFFFFFFF'));
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(fc.option(arb, { nil: null }), { nil: undefined });
const lineArb = fc.oneof(
  { weight: 8, arbitrary: fc.record(
    {
      productName: fc.oneof(textArb, fc.integer() as fc.Arbitrary<unknown>),
      quantity: fc.option(decimalArb, { nil: undefined }),
      unitPrice: maybe(decimalArb),
      totalPrice: maybe(decimalArb),
      categoryId: maybe(uuidArb),
      productId: maybe(uuidArb),
      unit: maybe(textArb),
    },
    { requiredKeys: ['productName'] },
  ) },
  { weight: 1, arbitrary: fc.constantFrom(null, 'line', [], { productName: 'Tea', extra: 1 }, { productName: 'Tea', quantity: null }) as fc.Arbitrary<unknown> },
);
const inputArb = fc.record({
  receipt: fc.oneof(
    fc.record({ storeName: maybe(textArb), totalAmount: maybe(decimalArb), purchaseDate: maybe(fc.constantFrom('2026-11-20', '2026-02-30', '0000-01-01', 'today')) }, { requiredKeys: [] }),
    fc.constantFrom({ userId: '00000000-0000-4000-8000-000000000001' }, null) as fc.Arbitrary<unknown>,
  ),
  items: fc.oneof({ weight: 9, arbitrary: fc.array(lineArb, { maxLength: 12 }) }, { weight: 1, arbitrary: fc.constantFrom('lines', null) as fc.Arbitrary<unknown> }),
});

const outcome = (result: z.ZodSafeParseResult<unknown>) =>
  result.success ? { success: true, data: result.data } : { success: false, issues: result.error.issues.map(({ code, path, message }) => ({ code, path, message })) };

describe('compiled validation', () => {
  it('the receipt-with-lines schema decides, outputs and reports exactly as zod parses it, under any bounds (fast-check)', () => {
    const fast = compiledOf(withItems);
    expect(fast).not.toBe(withItems);
    fc.assert(
      fc.property(inputArb, fc.integer({ min: 0, max: 12 }), (input, lines) => {
        const bounds = { ...INPUT_BOUNDS, receiptLines: lines };
        const expected = withInputBounds(bounds, () => outcome(withItems.safeParse(input)));
        expect(withInputBounds(bounds, () => outcome(fast.safeParse(input)))).toEqual(expected);
      }),
      { numRuns: 3000 },
    );
  });

  it("takes the fast path for a valid receipt of 30 lines, and zod's own parser only for a bad one", () => {
    const items = Array.from({ length: 30 }, (_, i) => ({ productName: `Item ${i}`, quantity: '1.5', unitPrice: '2.49', totalPrice: '3.74', unit: 'kg' }));
    const input = { receipt: { storeName: 'Bench', totalAmount: '112.20', purchaseDate: '2026-11-20' }, items };
    // Counts the entries into zod's own parser of the schema, which the compiled one falls back to.
    const runtime = withItems._zod as unknown as { run: (...args: unknown[]) => unknown };
    const original = runtime.run;
    let entered = 0;
    runtime.run = (...args: unknown[]) => {
      entered++;
      return original.apply(withItems._zod, args);
    };
    try {
      expect(compiledOf(withItems).safeParse(input).success).toBe(true);
      expect(entered).toBe(0);
      expect(compiledOf(withItems).safeParse({ ...input, items: [...items, { productName: ' ' }] }).success).toBe(false);
      expect(entered).toBe(1);
    } finally {
      runtime.run = original;
    }
  });
});
