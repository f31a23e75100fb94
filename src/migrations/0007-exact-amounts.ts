import type { Migration } from './migration.js';

/**
 * Exact pantry amounts. A lot's quantity and the journal's amounts were NUMERIC(10,3), so every take
 * was rounded to a thousandth of the lot's unit: ten teaspoons from a 0.75 l bottle left 0.700 l and
 * each was booked as 0.005 l. Unconstrained NUMERIC keeps them exact (decision 3 allows widening: it
 * accepts every value the old type did). Existing values keep their three places; the CHECK
 * constraints stay.
 */
export const exactAmounts: Migration = {
  name: '0007-exact-amounts',
  up: /* sql */ `
ALTER TABLE pantry_items ALTER COLUMN quantity TYPE NUMERIC;
ALTER TABLE pantry_events ALTER COLUMN quantity TYPE NUMERIC, ALTER COLUMN previous_quantity TYPE NUMERIC;
`,
  down: /* sql */ `
ALTER TABLE pantry_events ALTER COLUMN quantity TYPE NUMERIC(10,3), ALTER COLUMN previous_quantity TYPE NUMERIC(10,3);
ALTER TABLE pantry_items ALTER COLUMN quantity TYPE NUMERIC(10,3);
`,
};
