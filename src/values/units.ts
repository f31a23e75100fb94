import { z } from 'zod';
import { UnitMismatchError, ValidationError } from '../errors.js';
import { DATE_KINDS } from './dates.js';
import { Quantity } from './quantity.js';

/** What a unit measures. */
export type Dimension = 'mass' | 'volume' | 'count';

/** The canonical units. */
export const CANONICAL_UNITS = ['mg', 'g', 'kg', 'oz', 'lb', 'ml', 'cl', 'dl', 'l', 'tsp', 'tbsp', 'cup', 'pcs', 'pack', 'dozen'] as const;
export type CanonicalUnit = (typeof CANONICAL_UNITS)[number];

/**
 * Each canonical unit's dimension and its size in the dimension's base unit (g, ml, pcs), exactly.
 * `pack` has no fixed size: a pack of what? It converts only through a product's own conversion.
 * US customary sizes: 1 cup = 236.5882365 ml, 1 tbsp = 14.78676478125 ml, 1 tsp = 4.92892159375 ml.
 */
const UNITS: Record<CanonicalUnit, { dimension: Dimension; size: string | null }> = {
  mg: { dimension: 'mass', size: '0.001' },
  g: { dimension: 'mass', size: '1' },
  kg: { dimension: 'mass', size: '1000' },
  oz: { dimension: 'mass', size: '28.349523125' },
  lb: { dimension: 'mass', size: '453.59237' },
  ml: { dimension: 'volume', size: '1' },
  cl: { dimension: 'volume', size: '10' },
  dl: { dimension: 'volume', size: '100' },
  l: { dimension: 'volume', size: '1000' },
  tsp: { dimension: 'volume', size: '4.92892159375' },
  tbsp: { dimension: 'volume', size: '14.78676478125' },
  cup: { dimension: 'volume', size: '236.5882365' },
  pcs: { dimension: 'count', size: '1' },
  pack: { dimension: 'count', size: null },
  dozen: { dimension: 'count', size: '12' },
};

/** How people and receipts write units, in English and Polish, lower-cased and without dots. */
export const DEFAULT_UNIT_ALIASES: Readonly<Record<string, CanonicalUnit>> = {
  milligram: 'mg', milligrams: 'mg',
  gram: 'g', grams: 'g', gr: 'g', gramy: 'g',
  kilo: 'kg', kilos: 'kg', kilogram: 'kg', kilograms: 'kg', kgs: 'kg',
  ounce: 'oz', ounces: 'oz',
  pound: 'lb', pounds: 'lb', lbs: 'lb',
  milliliter: 'ml', milliliters: 'ml', millilitre: 'ml', millilitres: 'ml', mls: 'ml',
  centiliter: 'cl', centilitre: 'cl',
  deciliter: 'dl', decilitre: 'dl',
  liter: 'l', liters: 'l', litre: 'l', litres: 'l', ltr: 'l', litr: 'l', litry: 'l',
  teaspoon: 'tsp', teaspoons: 'tsp', 'łyżeczka': 'tsp', 'łyżeczki': 'tsp',
  tablespoon: 'tbsp', tablespoons: 'tbsp', tbs: 'tbsp', 'łyżka': 'tbsp', 'łyżki': 'tbsp',
  cups: 'cup', szklanka: 'cup', szklanki: 'cup',
  pc: 'pcs', piece: 'pcs', pieces: 'pcs', szt: 'pcs', sztuka: 'pcs', sztuki: 'pcs', ea: 'pcs', each: 'pcs', x: 'pcs',
  pk: 'pack', pkt: 'pack', packs: 'pack', package: 'pack', packet: 'pack', op: 'pack', opak: 'pack', opakowanie: 'pack',
  dozens: 'dozen', tuzin: 'dozen',
};

/** A quantity with a unit, as stored: the quantity is an exact decimal string. */
export interface Amount {
  quantity: string;
  unit: string;
}

const amountSchema = z.strictObject({
  // Bounded like every stored amount: a conversion with thousands of digits would make every exact
  // conversion through it (every user's "what can I cook" with this product) enormous.
  quantity: z
    .union([z.string(), z.number()])
    .transform(String)
    .pipe(z.string().regex(/^\d{1,12}(\.\d{1,20})?$/, 'must be a positive decimal with at most 12 digits before the point and 20 after')),
  unit: z.string().min(1).max(50, 'must be at most 50 characters'),
});

/**
 * The shape of a product's `storage_info` (JSONB) that the library reads. Every field is optional and
 * other keys are kept, so hosts can store more.
 *
 * @example
 * ```json
 * { "shelfLifeDays": 14, "openedShelfLifeDays": 4, "units": { "pcs": { "quantity": "60", "unit": "g" } } }
 * ```
 */
export const productStorageInfoSchema = z.preprocess(
  // Hosts ported from the Python design store snake_case keys (`opened_shelf_life_days`); read both.
  (value) => {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
    const v = value as Record<string, unknown>;
    return {
      ...v,
      ...(v.shelfLifeDays === undefined && v.shelf_life_days !== undefined ? { shelfLifeDays: v.shelf_life_days } : {}),
      ...(v.openedShelfLifeDays === undefined && v.opened_shelf_life_days !== undefined ? { openedShelfLifeDays: v.opened_shelf_life_days } : {}),
      ...(v.dateKind === undefined && v.date_kind !== undefined ? { dateKind: v.date_kind } : {}),
    };
  },
  z.looseObject({
  /** Days a product keeps from purchase, when no expiry date is given. */
  shelfLifeDays: z.number().int().min(0).max(36_500, 'must be at most 36500 (a century)').optional(),
  /** Days it keeps once opened; an opened lot's expiry moves up to this. */
  openedShelfLifeDays: z.number().int().min(0).max(36_500, 'must be at most 36500 (a century)').optional(),
  /** What the product's dates mean: `best_before` or `use_by` (the default for its lots). */
  dateKind: z.enum(DATE_KINDS).optional(),
  /** This product's own conversions: 1 `key` = `quantity` `unit`, such as 1 pcs = 60 g of egg. */
  units: z
    .record(z.string().max(50, 'must be at most 50 characters'), amountSchema)
    .refine((units) => Object.keys(units).length <= 50, 'must have at most 50 conversions')
    .optional(),
  }),
);
export type ProductStorageInfo = z.infer<typeof productStorageInfoSchema>;

/** Options for {@link createUnitRegistry}. */
export interface UnitRegistryOptions {
  /** Extra aliases (`{ 'szczypta': 'g' }`), merged over the defaults. Default: none. */
  aliases?: Record<string, CanonicalUnit>;
}

/** Normalises and converts units. Create one per application; it holds no global state. */
export interface UnitRegistry {
  /**
   * The canonical unit for what the user typed (`"Kg"`, `"gram"`, `"szt."` → `kg`, `g`, `pcs`).
   * @throws {ValidationError} for an unknown unit.
   */
  normalize(unit: string): CanonicalUnit;
  /** `normalize`, or `undefined` for an unknown unit. */
  tryNormalize(unit: string): CanonicalUnit | undefined;
  dimensionOf(unit: string): Dimension;
  /**
   * Converts exactly. Within a dimension by the unit sizes; across dimensions (or for `pack`) only
   * through the product's own conversions, chained if needed (1 pack = 10 pcs, 1 pcs = 60 g).
   *
   * @throws {UnitMismatchError} when no conversion is known. It never guesses.
   * @example
   * ```ts
   * units.convert('500', 'g', 'kg').toDecimal();                                   // '0.5'
   * units.convert('2', 'pcs', 'g', { pcs: { quantity: '60', unit: 'g' } }).toDecimal(); // '120'
   * ```
   */
  convert(quantity: Quantity | string, from: string, to: string, productUnits?: ProductStorageInfo['units']): Quantity;
  /** Every alias (lower-cased) with its canonical unit, for queries that convert in SQL. */
  aliasEntries(): [alias: string, unit: CanonicalUnit][];
}

/** The canonical units with their dimension and size in the dimension's base unit (`null` for pack). */
export function unitTable(): { unit: CanonicalUnit; dimension: Dimension; size: string | null }[] {
  return CANONICAL_UNITS.map((unit) => ({ unit, ...UNITS[unit] }));
}

/**
 * Creates a unit registry with the default aliases plus yours.
 *
 * @example
 * ```ts
 * const units = createUnitRegistry({ aliases: { 'główka': 'pcs' } });
 * units.normalize('Główka'); // 'pcs'
 * ```
 */
export function createUnitRegistry(options: UnitRegistryOptions = {}): UnitRegistry {
  const aliases = new Map<string, CanonicalUnit>();
  for (const unit of CANONICAL_UNITS) aliases.set(unit, unit);
  for (const [alias, unit] of Object.entries({ ...DEFAULT_UNIT_ALIASES, ...options.aliases })) {
    if (!(unit in UNITS)) throw new ValidationError([{ path: ['aliases', alias], message: `${unit} is not a canonical unit` }]);
    aliases.set(key(alias), unit);
  }

  const tryNormalize = (unit: string) => aliases.get(key(unit));
  const normalize = (unit: string): CanonicalUnit => {
    const canonical = tryNormalize(unit);
    if (!canonical) {
      throw new ValidationError([{ path: ['unit'], message: `unknown unit "${unit}"; use one of ${CANONICAL_UNITS.join(', ')} or add an alias` }]);
    }
    return canonical;
  };

  const convert: UnitRegistry['convert'] = (quantity, from, to, productUnits) => {
    const q = Quantity.of(quantity);
    const a = normalize(from);
    const b = normalize(to);
    if (a === b) return q;
    const direct = sameDimensionFactor(a, b);
    if (direct) return q.mul(direct);
    const path = productPath(a, b, productUnits ?? {}, tryNormalize);
    if (!path) {
      throw new UnitMismatchError(from, to, `${UNITS[a].dimension} and ${UNITS[b].dimension}, and no conversion for this product`);
    }
    return q.mul(path);
  };

  return {
    normalize,
    tryNormalize,
    dimensionOf: (unit) => UNITS[normalize(unit)].dimension,
    convert,
    aliasEntries: () => [...aliases.entries()],
  };
}

/**
 * The factor from one unit to another by a breadth-first search over units, linked by same-dimension
 * sizes and the product's own conversions (each usable both ways); `undefined` when none links them.
 */
function productPath(
  from: CanonicalUnit,
  to: CanonicalUnit,
  units: NonNullable<ProductStorageInfo['units']>,
  tryNormalize: (unit: string) => CanonicalUnit | undefined,
): Quantity | undefined {
  const edges = new Map<CanonicalUnit, [CanonicalUnit, Quantity][]>();
  const link = (x: CanonicalUnit, y: CanonicalUnit, factor: Quantity) => {
    edges.set(x, [...(edges.get(x) ?? []), [y, factor]]);
    edges.set(y, [...(edges.get(y) ?? []), [x, Quantity.ratio(factor.den, factor.num)]]);
  };
  for (const [unit, amount] of Object.entries(units)) {
    const x = tryNormalize(unit);
    const y = tryNormalize(amount.unit);
    if (!x || !y) continue;
    const factor = Quantity.of(amount.quantity);
    if (!factor.isZero()) link(x, y, factor);
  }
  const seen = new Map<CanonicalUnit, Quantity>([[from, Quantity.of('1')]]);
  const queue: CanonicalUnit[] = [from];
  while (queue.length > 0) {
    const current = queue.shift()!;
    const sofar = seen.get(current)!;
    const neighbours: [CanonicalUnit, Quantity][] = [...(edges.get(current) ?? [])];
    for (const other of CANONICAL_UNITS) {
      const f = sameDimensionFactor(current, other);
      if (f && other !== current) neighbours.push([other, f]);
    }
    for (const [next, factor] of neighbours) {
      if (seen.has(next)) continue;
      const total = sofar.mul(factor);
      if (next === to) return total;
      seen.set(next, total);
      queue.push(next);
    }
  }
  return undefined;
}

/** How many `b` one `a` is, when both have a fixed size in the same dimension. */
function sameDimensionFactor(a: CanonicalUnit, b: CanonicalUnit): Quantity | undefined {
  const ua = UNITS[a];
  const ub = UNITS[b];
  if (ua.dimension !== ub.dimension || ua.size === null || ub.size === null) return undefined;
  return Quantity.of(ua.size).div(Quantity.of(ub.size));
}

function key(unit: string): string {
  return unit.trim().toLowerCase().replace(/\.$/, '');
}
