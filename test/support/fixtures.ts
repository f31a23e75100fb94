import { randomUUID } from 'node:crypto';
import type { AdminRepositories, Engine, Foodsave, UserScope } from '../../src/index.js';

let n = 0;
/** A unique suffix, so tests in one file never collide on unique columns. */
export const unique = (prefix: string) => `${prefix}-${process.pid}-${++n}-${randomUUID().slice(0, 8)}`;

/** A new user, created through the back-office repositories (`db.admin` or `createAdminRepositories`). */
export async function makeUser(admin: AdminRepositories | Foodsave, name = 'user') {
  const users = 'admin' in admin ? admin.admin.users : admin.users;
  const username = unique(name).slice(0, 50);
  return users.create({ username, email: `${username}@example.com` });
}

/**
 * The server's current date, and a function giving the date `offset` days from it (`YYYY-MM-DD`): the
 * day the library's "today" means, whatever the test machine's time zone.
 */
export async function serverDays(engine: Engine): Promise<{ today: string; day: (offset: number) => string }> {
  const [row] = (await engine.sequelize.query('SELECT current_date::text AS d', { type: 'SELECT' as never })) as unknown as [{ d: string }];
  const today = row.d;
  const day = (offset: number) => {
    const d = new Date(`${today}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + offset);
    return d.toISOString().slice(0, 10);
  };
  return { today, day };
}

/**
 * Ten years centred on today, the widest range a report accepts: for reports over events the server
 * stamps with the real clock, so a test reads the same whichever year it runs in. Days from this
 * process's clock: five years either side leave room for any time zone between it and the server.
 */
export function decadeAroundToday(): { from: string; to: string } {
  return { from: dayFromToday(-1825), to: dayFromToday(1825) };
}

/** `YYYY-MM-DD`, `offset` days from today on this process's clock (UTC). */
export function dayFromToday(offset: number): string {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + offset);
  return d.toISOString().slice(0, 10);
}

/**
 * A day that has passed on any server the suite runs on. Where a test dates lots, plans and `asOf`
 * days by hand, it uses the year 2100 instead: the server's `current_date`, which decides what may still
 * be eaten, never reaches those days, so consuming and cooking work whichever day the suite runs, and
 * `asOf` answers every other question about dates.
 */
export const PAST = '2020-01-01';

/** A lot for a property test: one of the test's products, and an expiry as days from the server's today. */
export interface LotSpec {
  product: number;
  quantity: string;
  unit: string;
  expiry: number | null;
  kind: 'best_before' | 'use_by';
  price?: string | undefined;
}

/** Adds each lot to the scope's pantry, in order, through the ledger. */
export async function addLots(me: UserScope, productIds: readonly string[], lots: readonly LotSpec[], day: (offset: number) => string): Promise<void> {
  for (const l of lots) {
    await me.ledger.addItem({
      productId: productIds[l.product]!,
      quantity: l.quantity,
      unit: l.unit,
      expiryDate: l.expiry === null ? null : day(l.expiry),
      dateKind: l.kind,
      ...(l.price ? { unitPrice: l.price } : {}),
    });
  }
}
