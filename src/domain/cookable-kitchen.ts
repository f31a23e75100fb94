import { dateStatus, type DateKind } from '../values/dates.js';
import { Quantity } from '../values/quantity.js';
import { productStorageInfoSchema, type ProductStorageInfo, type UnitRegistry } from '../values/units.js';
import { allocate, type AllocationLot } from './allocate.js';
import { compareText } from './recipe-catalogue.js';

/** One ingredient's coverage. Amounts are exact decimal strings in the ingredient's unit. */
export interface IngredientCoverage {
  productId: string | null;
  productName: string | null;
  /** `null` for an ingredient without a quantity ("salt to taste"): covered by any stock of it. */
  needed: string | null;
  have: string;
  /** The ingredient's unit, canonical where known; `pcs` when the recipe gives none. */
  unit: string | null;
}

/** Part of a lot a recipe would take. */
export interface LotUse {
  lotId: string;
  productId: string;
  expiryDate: string | null;
  /** In the lot's unit, exactly as cooking books it (see `Quantity.toStored`). */
  quantity: string;
  unit: string;
}

/** A recipe ranked by {@link RecipeFinder.getCookableRecipes}. */
export interface CookableRecipe {
  recipe: { id: string; title: string; servings: number | null; cookingTime: number | null; difficultyLevel: number | null; tags: string[] | null };
  /** Mean share of each ingredient covered, 0..1, as a decimal string. */
  coverage: string;
  missingCount: number;
  covered: IngredientCoverage[];
  missing: IngredientCoverage[];
  /**
   * Every lot cooking the recipe on the day would take, and how much, in the order it would take them:
   * exactly what `cookRecipe` takes, because both ask the same allocator.
   */
  lotsUsed: LotUse[];
  /** The soon-expiring lots among them. */
  expiringLots: (LotUse & { expiryDate: string })[];
  /** The earliest expiry among the lots it would use. */
  soonestExpiry: string | null;
  /** The money value of soon-expiring food it would use (from lot prices). */
  savedValue: string;
}

/** A pantry lot as the cookable ranking reads it, in use-first order. */
export interface PantryLot {
  id: string;
  productId: string;
  quantity: string;
  unit: string | null;
  expiryDate: string | null;
  dateKind: DateKind;
  unitPrice: string | null;
}

/** A recipe to evaluate, with its ingredients. */
export interface Candidate {
  id: string;
  title: string;
  servings: number | null;
  cookingTime: number | null;
  difficultyLevel: number | null;
  tags: string[] | null;
  ingredients: { productId: string | null; productName: string | null; quantity: string | null; unit: string | null }[];
}

/** The pantry on the day, and the own conversions of the products in it. */
export interface PantryData {
  day: string;
  /** The recipe catalogue's version in the same snapshot (migration 0013). */
  catalogueVersion: string;
  lots: PantryLot[];
  conversions: Record<string, unknown>;
}

/** Orders expiry dates with `null` (keeps) after every date. */
export function compareBounds(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

/**
 * A recipe's place in the ranking, as keys: its real place once evaluated, or the best place it could
 * reach before it is (`CookableWalk`). Coverage and saving are the reported rounded figures as integers
 * (ten-thousandths, cents), so keys compare exactly as the reported results read.
 */
export interface RankKey {
  soonest: string | null;
  coverage: number;
  missing: number;
  saved: number;
  title: string;
  id: string;
}

/** The order of the ranking, decided here only: soonest expiry used, coverage, fewest missing, most saved, title, id. */
export function compareKeys(a: RankKey, b: RankKey): number {
  return (
    compareBounds(a.soonest, b.soonest) ||
    b.coverage - a.coverage ||
    a.missing - b.missing ||
    b.saved - a.saved ||
    compareText(a.title, b.title) ||
    compareText(a.id, b.id)
  );
}

/** `'0.7500'` as 7500, `'12.30'` as 1230. */
export const keyDigits = (decimal: string): number => Number(decimal.replace('.', ''));

/** An evaluated recipe with its ranking key worked out once, not in every comparison of the sort. */
export interface Ranked {
  result: CookableRecipe;
  key: RankKey;
}

export const byRank = (a: Ranked, b: Ranked): number => compareKeys(a.key, b.key);

/** The pantry on one day, against which recipes are evaluated one by one. */
export class Kitchen {
  private readonly lotsOf = new Map<string, AllocationLot[]>();
  private readonly byId: Map<string, PantryLot>;
  private readonly conversions = new Map<string, ProductStorageInfo['units']>();
  private readonly horizon: string;

  constructor(
    private readonly data: PantryData,
    private readonly units: UnitRegistry,
    expiringWithinDays: number,
  ) {
    // Each recipe is allocated against its own products' lots only, so a recipe costs its ingredients,
    // not the size of the pantry.
    for (const l of data.lots) {
      const lot = { id: l.id, productId: l.productId, quantity: Quantity.of(l.quantity), unit: l.unit, expiryDate: l.expiryDate, dateKind: l.dateKind };
      this.lotsOf.set(l.productId, [...(this.lotsOf.get(l.productId) ?? []), lot]);
    }
    this.byId = new Map(data.lots.map((l) => [l.id, l]));
    for (const [id, info] of Object.entries(data.conversions)) this.conversions.set(id, productStorageInfoSchema.safeParse(info ?? {}).data?.units);
    const horizon = new Date(`${data.day}T00:00:00Z`);
    horizon.setUTCDate(horizon.getUTCDate() + expiringWithinDays);
    this.horizon = horizon.toISOString().slice(0, 10);
  }

  /**
   * For each product the pantry can serve on the day, the earliest expiry among its lots that could serve
   * it (`null`: only lots that keep). A recipe's soonest expiry can be no earlier than the earliest of
   * its products' bounds, and an ingredient whose product is not here is missing whatever the amounts:
   * the optimistic bounds the walk in {@link RecipeFinder.getCookableRecipes} stops on.
   */
  presentBounds(): Map<string, string | null> {
    const bounds = new Map<string, string | null>();
    for (const lots of this.lotsOf.values()) {
      for (const lot of lots) {
        if (!this.serves(lot)) continue;
        const known = bounds.get(lot.productId);
        if (!bounds.has(lot.productId) || compareBounds(lot.expiryDate, known ?? null) < 0) bounds.set(lot.productId, lot.expiryDate);
      }
    }
    return bounds;
  }

  /** Whether a lot could serve anything on the day: it holds something and is not past a use-by date, as the allocator asks. */
  private serves(lot: AllocationLot): boolean {
    return lot.quantity.cmp('0') > 0 && dateStatus(lot.expiryDate, lot.dateKind ?? 'use_by', this.data.day) !== 'expired';
  }

  /**
   * At most what a recipe could save from this product: the value of all its soon-expiring stock that
   * could serve on the day (a price below zero counts as zero).
   */
  expiringValue(productId: string): Quantity {
    let value = Quantity.ZERO;
    for (const lot of this.lotsOf.get(productId) ?? []) {
      const price = this.byId.get(lot.id)!.unitPrice;
      if (price === null || lot.expiryDate === null || lot.expiryDate > this.horizon || !this.serves(lot)) continue;
      const each = Quantity.of(price);
      if (each.cmp('0') > 0) value = value.add(lot.quantity.mul(each));
    }
    return value;
  }

  evaluate(recipe: Candidate): Ranked {
    const ingredients = recipe.ingredients.map((i) => ({ ...i, unit: this.unitOf(i.unit) }));
    const quantified = ingredients.filter((i) => i.productId !== null && i.quantity !== null && Quantity.of(i.quantity).cmp('0') > 0);
    const lots = [...new Set(ingredients.map((i) => i.productId))].flatMap((id) => (id === null ? [] : (this.lotsOf.get(id) ?? [])));
    const { takes, missing, left } = allocate(
      quantified.map((i) => ({ productId: i.productId!, quantity: Quantity.of(i.quantity!), unit: i.unit, day: this.data.day })),
      lots,
      this.units,
      (id) => this.conversions.get(id),
    );
    let share = Quantity.ZERO;
    const coverage = ingredients.map((i) => {
      const index = quantified.indexOf(i);
      const have = index >= 0 ? Quantity.of(i.quantity!).sub(missing[index]!) : this.remaining(i.productId, i.unit, lots, left);
      const isCovered = index >= 0 ? missing[index]!.isZero() : have.cmp('0') > 0;
      share = share.add(index >= 0 ? have.div(i.quantity!) : isCovered ? '1' : '0');
      const line = { productId: i.productId, productName: i.productName, needed: i.quantity, have: have.toDecimal(3), unit: i.unit };
      return { line, isCovered };
    });
    const lotsUsed = takes.map((take) => {
      const lot = this.byId.get(take.lotId)!;
      return { lotId: lot.id, productId: lot.productId, expiryDate: lot.expiryDate, quantity: take.inLotUnit.toStored(), unit: lot.unit ?? 'pcs', take };
    });
    const expiring = lotsUsed.filter((u) => u.expiryDate !== null && u.expiryDate <= this.horizon);
    const saved = expiring.reduce((sum, u) => {
      const price = this.byId.get(u.lotId)!.unitPrice;
      return price === null ? sum : sum.add(u.take.inLotUnit.mul(price));
    }, Quantity.ZERO);
    const dates = lotsUsed.map((u) => u.expiryDate).filter((d): d is string => d !== null);
    const strip = ({ take: _take, ...use }: (typeof lotsUsed)[number]) => use;
    // Ranked by the reported (rounded) coverage and saving, so equal-looking results tie.
    const coverageText = ingredients.length === 0 ? '0.0000' : share.div(String(ingredients.length)).toDecimal(4);
    const savedText = saved.toDecimal(2);
    const result: CookableRecipe = {
      recipe: { id: recipe.id, title: recipe.title, servings: recipe.servings, cookingTime: recipe.cookingTime, difficultyLevel: recipe.difficultyLevel, tags: recipe.tags },
      coverage: coverageText,
      missingCount: coverage.filter((c) => !c.isCovered).length,
      covered: coverage.filter((c) => c.isCovered).map((c) => c.line),
      missing: coverage.filter((c) => !c.isCovered).map((c) => c.line),
      lotsUsed: lotsUsed.map(strip),
      expiringLots: expiring.map(strip) as CookableRecipe['expiringLots'],
      soonestExpiry: dates.length === 0 ? null : dates.reduce((a, b) => (a < b ? a : b)),
      savedValue: savedText,
    };
    const key = { soonest: result.soonestExpiry, coverage: keyDigits(coverageText), missing: result.missingCount, saved: keyDigits(savedText), title: recipe.title, id: recipe.id };
    return { result, key };
  }

  /** For an ingredient without a quantity: what stock of it is left on the day, in its unit. */
  private remaining(productId: string | null, unit: string, lots: AllocationLot[], left: Map<string, Quantity>): Quantity {
    if (productId === null) return Quantity.ZERO;
    const rest = lots.map((l) => ({ ...l, quantity: left.get(l.id)! }));
    const probe = allocate([{ productId, quantity: Quantity.of('1000000000'), unit, day: this.data.day }], rest, this.units, (id) => this.conversions.get(id));
    return Quantity.of('1000000000').sub(probe.missing[0]!);
  }

  private unitOf(unit: string | null): string {
    if (unit === null || unit.trim() === '') return 'pcs';
    return this.units.tryNormalize(unit) ?? unit.trim().toLowerCase();
  }
}
