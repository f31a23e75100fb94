/**
 * An exact decimal, as PostgreSQL prints it (`"12.50"`, `"1.254"`). NUMERIC columns come back as this,
 * never as a binary float, so money and quantities stay exact (decision 11).
 */
export type DecimalString = string;

/** A calendar date, `YYYY-MM-DD`, as stored in a DATE column. */
export type DateOnlyString = string;

export type { DateKind, DateStatus } from '../values/dates.js';

/** A JSON object stored in a JSONB column. */
export type JsonObject = { [key: string]: unknown };
