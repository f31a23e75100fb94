/** What a lot's date means: best before (overdue past it, still food) or use by (expired past it). */
export const DATE_KINDS = ['best_before', 'use_by'] as const;
export type DateKind = (typeof DATE_KINDS)[number];

/** A lot's state on a day: before its date, past a best-before date, or past a use-by date. */
export const DATE_STATUSES = ['fresh', 'overdue', 'expired'] as const;
export type DateStatus = (typeof DATE_STATUSES)[number];

/**
 * A lot's date status on `day` (all `YYYY-MM-DD`): past a use-by date it is expired, past a best-before
 * date only overdue, and otherwise fresh. The one place this is decided in TypeScript; SQL uses
 * `dateStatusSql` (src/repositories/lot-dates.ts), and a property test proves the two agree.
 */
export function dateStatus(expiryDate: string | null, kind: DateKind, day: string): DateStatus {
  if (expiryDate === null || expiryDate >= day) return 'fresh';
  return kind === 'use_by' ? 'expired' : 'overdue';
}
