import { Quantity } from '../values/quantity.js';
import { compareBounds, compareKeys, keyDigits, type Kitchen, type RankKey, type Ranked } from './cookable-kitchen.js';
import type { RecipeCatalogue } from './recipe-catalogue.js';

/** An evaluated recipe's key. */
export const keyOf = (ranked: Ranked): RankKey => ranked.key;

export { compareKeys, type RankKey } from './cookable-kitchen.js';

/** A recipe still to evaluate, with the best key it could reach. */
export interface Upcoming extends RankKey {
  recipe: number;
}

/**
 * The recipes worth evaluating against one pantry, in the order of the best rank each could reach,
 * from the catalogue index alone. For each ingredient whose product the pantry can serve, the recipe
 * could at best use that product's earliest lot, cover it fully and save the value of all its soon-expiring
 * stock; for any other it covers nothing. So a recipe's real key is never better than its bound here:
 * once the ranking's last place beats the next bound, no recipe left could enter it.
 *
 * Recipes are taken a group at a time, by the earliest expiry among the pantry products they use,
 * earliest first: a group is worked out (in memory) only when the walk reaches it. The recipes that use
 * no pantry product come with the last group, the first `limit` of them by size, title and id.
 *
 * @internal
 */
export class CookableWalk {
  /** Per catalogue product: its bound (null: lots that keep), or undefined when the pantry cannot serve it. */
  private readonly boundOf: (string | null | undefined)[];
  /** Per catalogue product: the value of its soon-expiring lots, when there is any. */
  private readonly valueOf = new Map<number, Quantity>();
  /** Distinct bounds, earliest first, each with its products. */
  private readonly groups: { bound: string | null; products: number[] }[];
  private readonly seen: Uint8Array;
  private readonly coverageKeys = new Map<number, number>();
  private group = 0;
  private queue: Upcoming[] = [];
  private position = 0;

  constructor(
    private readonly catalogue: RecipeCatalogue,
    kitchen: Kitchen,
    private readonly maxMissing: number,
    private readonly limit: number,
  ) {
    this.boundOf = new Array<string | null | undefined>(catalogue.productCount);
    const byBound = new Map<string | null, number[]>();
    for (const [productId, bound] of kitchen.presentBounds()) {
      const product = catalogue.productOf(productId);
      if (product < 0) continue;
      this.boundOf[product] = bound;
      byBound.set(bound, [...(byBound.get(bound) ?? []), product]);
      const value = kitchen.expiringValue(productId);
      if (!value.isZero()) this.valueOf.set(product, value);
    }
    this.groups = [...byBound.entries()].sort(([a], [b]) => compareBounds(a, b)).map(([bound, products]) => ({ bound, products }));
    if (this.groups.at(-1)?.bound !== null) this.groups.push({ bound: null, products: [] });
    this.seen = new Uint8Array(catalogue.recipes.length);
  }

  /** Up to `n` recipes (by catalogue index), best bound first. */
  take(n: number): number[] {
    const taken: number[] = [];
    while (taken.length < n && this.peek()) taken.push(this.queue[this.position++]!.recipe);
    return taken;
  }

  /** The best key any recipe not yet taken could reach, or undefined when none is left. */
  peek(): Upcoming | undefined {
    while (this.position >= this.queue.length) {
      if (this.group >= this.groups.length) return undefined;
      this.queue = this.work(this.groups[this.group++]!);
      this.position = 0;
    }
    return this.queue[this.position];
  }

  /** The recipes whose earliest pantry product is in this group, within `maxMissing`, in bound order. */
  private work(group: { bound: string | null; products: number[] }): Upcoming[] {
    const found: Upcoming[] = [];
    for (const product of group.products) {
      for (const r of this.catalogue.recipesUsing(product)) {
        if (this.seen[r]) continue;
        this.seen[r] = 1;
        const upcoming = this.bound(r, group.bound);
        if (upcoming) found.push(upcoming);
      }
    }
    if (group.bound === null) found.push(...this.untouched());
    return found.sort(compareKeys);
  }

  private bound(r: number, soonest: string | null): Upcoming | undefined {
    const recipe = this.catalogue.recipes[r]!;
    let served = 0;
    let saved: Quantity | undefined;
    let valued: Set<number> | undefined;
    for (const p of recipe.products) {
      if (this.boundOf[p] === undefined) continue;
      served++;
      const value = this.valueOf.get(p);
      if (value && !valued?.has(p)) {
        (valued ??= new Set()).add(p);
        saved = (saved ?? Quantity.ZERO).add(value);
      }
    }
    const missing = recipe.ingredientCount - served;
    if (missing > this.maxMissing) return undefined;
    const coverage = this.coverageKey(served, recipe.ingredientCount);
    return { recipe: r, soonest, coverage, missing, saved: saved ? keyDigits(saved.toDecimal(2)) : 0, title: recipe.title, id: recipe.id };
  }

  /** Recipes that use nothing in the pantry and miss no more than allowed: the first `limit` rank among themselves in this order. */
  private untouched(): Upcoming[] {
    const found: Upcoming[] = [];
    for (const r of this.catalogue.bySize) {
      const recipe = this.catalogue.recipes[r]!;
      if (found.length >= this.limit || recipe.ingredientCount > this.maxMissing) break;
      if (this.seen[r]) continue;
      this.seen[r] = 1;
      found.push({ recipe: r, soonest: null, coverage: 0, missing: recipe.ingredientCount, saved: 0, title: recipe.title, id: recipe.id });
    }
    return found;
  }

  /** The coverage a recipe reports when every served ingredient is fully covered, as in `Kitchen.evaluate`. */
  private coverageKey(served: number, count: number): number {
    const memo = served * 65536 + count;
    let key = this.coverageKeys.get(memo);
    if (key === undefined) {
      key = keyDigits(Quantity.of(served).div(String(count)).toDecimal(4));
      this.coverageKeys.set(memo, key);
    }
    return key;
  }
}
