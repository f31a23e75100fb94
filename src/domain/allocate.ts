import { UnitMismatchError, ValidationError } from '../errors.js';
import { dateStatus, type DateKind } from '../values/dates.js';
import { Quantity } from '../values/quantity.js';
import type { ProductStorageInfo, UnitRegistry } from '../values/units.js';

/** An amount of a product wanted on a day. */
export interface AllocationNeed {
  productId: string;
  /** Exact. */
  quantity: Quantity;
  /** Any unit or alias; `null` means pieces, as everywhere in the library. */
  unit: string | null;
  /** `YYYY-MM-DD`: a lot expiring before this day cannot serve the need. `null`: any lot that holds something. */
  day: string | null;
}

/** A lot the allocator may draw from. */
export interface AllocationLot {
  id: string;
  productId: string;
  /** What it holds now, in its own unit. */
  quantity: Quantity;
  /** `null` means pieces. */
  unit: string | null;
  /** `YYYY-MM-DD` or `null` (keeps). */
  expiryDate: string | null;
  /** What the date means. Default: `use_by`. */
  dateKind?: DateKind;
}

/** One draw: part of a lot given to one need, in both units. */
export interface AllocationTake {
  /** The need's index in the list given. */
  need: number;
  lotId: string;
  /** In the lot's unit: what leaves the lot. */
  inLotUnit: Quantity;
  /** In the need's unit: what it covers. */
  inNeedUnit: Quantity;
}

/** What {@link allocate} decided. */
export interface Allocation {
  takes: AllocationTake[];
  /** For each need (by index), what no lot could cover, in the need's unit; zero when covered. */
  missing: Quantity[];
  /** What each lot holds after the takes, by lot id. */
  left: Map<string, Quantity>;
}

/** Amounts this small are rounding dust, not something to buy or a reason to refuse. */
export const DUST = Quantity.of('0.0005');

/**
 * Decides which lots cover which needs: the one place where "what the pantry can give" is worked out.
 * Consuming, cooking and the shopping list all ask it. Pure: no database, no clock.
 *
 * Needs are served in the order given, each from its product's lots in the order given, which is the
 * use-first order (the callers read lots sorted by `useFirstOrder`, so the order is decided once, in
 * SQL). A lot serves a need only if it is not expired on the need's day (past a use-by date; a lot
 * past a best-before date is overdue but still serves), still holds something, and
 * its unit converts to the need's (within a dimension, or through the product's own conversions). A
 * lot left over by one need serves the next, so two needs never count the same stock twice.
 *
 * @param conversionsOf - the product's own unit conversions (`storage_info.units`), if any
 * @internal
 */
export function allocate(
  needs: readonly AllocationNeed[],
  lots: readonly AllocationLot[],
  units: UnitRegistry,
  conversionsOf: (productId: string) => ProductStorageInfo['units'] | undefined,
): Allocation {
  const left = new Map(lots.map((l) => [l.id, l.quantity]));
  const byProduct = new Map<string, AllocationLot[]>();
  for (const lot of lots) byProduct.set(lot.productId, [...(byProduct.get(lot.productId) ?? []), lot]);
  const takes: AllocationTake[] = [];
  const missing = needs.map((need, index) => {
    let wanted = need.quantity;
    const needUnit = need.unit ?? 'pcs';
    const conversions = conversionsOf(need.productId);
    for (const lot of byProduct.get(need.productId) ?? []) {
      if (wanted.cmp(DUST) < 0) break;
      const available = left.get(lot.id)!;
      if (available.isZero() || available.isNegative()) continue;
      // Past a use-by date a lot is no longer food; past a best-before date it still is (and goes first).
      if (need.day !== null && dateStatus(lot.expiryDate, lot.dateKind ?? 'use_by', need.day) === 'expired') continue;
      const inNeedUnit = convertOrNull(units, available, lot.unit ?? 'pcs', needUnit, conversions);
      if (inNeedUnit === null) continue; // A unit that does not convert cannot serve this need.
      const covered = inNeedUnit.min(wanted);
      const inLotUnit = covered.cmp(inNeedUnit) === 0 ? available : convertOrNull(units, covered, needUnit, lot.unit ?? 'pcs', conversions)!;
      takes.push({ need: index, lotId: lot.id, inLotUnit, inNeedUnit: covered });
      left.set(lot.id, available.sub(inLotUnit));
      wanted = wanted.sub(covered);
    }
    return wanted.cmp(DUST) < 0 ? Quantity.ZERO : wanted;
  });
  return { takes, missing, left };
}

/** `units.convert`, or `null` when the units do not convert (or one is unknown). @internal */
export function convertOrNull(
  units: UnitRegistry,
  quantity: Quantity,
  from: string,
  to: string,
  conversions: ProductStorageInfo['units'] | undefined,
): Quantity | null {
  if (from === to) return quantity;
  try {
    return units.convert(quantity, from, to, conversions);
  } catch (error) {
    // Units that do not convert, or a unit the registry does not know, cannot serve the need.
    if (error instanceof UnitMismatchError || error instanceof ValidationError) return null;
    throw error;
  }
}
