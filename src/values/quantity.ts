import { excerpt, ValidationError } from '../errors.js';

/**
 * An exact rational number (numerator / denominator as BigInt). Quantities and money are added,
 * scaled and converted with it, so 0.1 + 0.1 + 0.1 is exactly 0.3 and 1 oz is exactly 28.349523125 g
 * (decision 11). Only `toDecimal` rounds, and only when asked for a fixed number of places.
 */
export class Quantity {
  private constructor(
    readonly num: bigint,
    readonly den: bigint,
  ) {}

  static readonly ZERO = new Quantity(0n, 1n);

  /**
   * Parses a decimal string (`"1.254"`, `"-0.5"`, `"3"`) or a safe integer.
   *
   * @throws {ValidationError} for anything else, such as `"1e3"` or `NaN`.
   * @example
   * ```ts
   * Quantity.of('0.1').add(Quantity.of('0.2')).toDecimal(); // '0.3'
   * ```
   */
  static of(value: string | number | bigint | Quantity): Quantity {
    if (value instanceof Quantity) return value;
    if (typeof value === 'bigint') return new Quantity(value, 1n);
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw invalid(String(value));
      return Quantity.of(String(value));
    }
    const match = /^\s*(-)?(\d+)(?:\.(\d+))?\s*$/.exec(value);
    if (!match) throw invalid(value);
    const [, sign, whole, fraction = ''] = match;
    const num = BigInt(`${whole}${fraction}`) * (sign ? -1n : 1n);
    return Quantity.ratio(num, 10n ** BigInt(fraction.length));
  }

  /** `num / den`, reduced. */
  static ratio(num: bigint, den: bigint): Quantity {
    if (den === 0n) throw new ValidationError([{ path: [], message: 'division by zero' }]);
    if (den < 0n) {
      num = -num;
      den = -den;
    }
    const g = gcd(num < 0n ? -num : num, den);
    return new Quantity(num / g, den / g);
  }

  add(other: Quantity | string): Quantity {
    const o = Quantity.of(other);
    return Quantity.ratio(this.num * o.den + o.num * this.den, this.den * o.den);
  }

  sub(other: Quantity | string): Quantity {
    const o = Quantity.of(other);
    return Quantity.ratio(this.num * o.den - o.num * this.den, this.den * o.den);
  }

  mul(other: Quantity | string): Quantity {
    const o = Quantity.of(other);
    return Quantity.ratio(this.num * o.num, this.den * o.den);
  }

  div(other: Quantity | string): Quantity {
    const o = Quantity.of(other);
    return Quantity.ratio(this.num * o.den, this.den * o.num);
  }

  /** -1, 0 or 1. */
  cmp(other: Quantity | string): number {
    const o = Quantity.of(other);
    const d = this.num * o.den - o.num * this.den;
    return d === 0n ? 0 : d < 0n ? -1 : 1;
  }

  isZero(): boolean {
    return this.num === 0n;
  }

  isNegative(): boolean {
    return this.num < 0n;
  }

  min(other: Quantity): Quantity {
    return this.cmp(other) <= 0 ? this : other;
  }

  /**
   * A decimal string. Without `places`, exact when the value has a finite decimal form (else rounded
   * to 12 places); with `places`, rounded half away from zero to that many places.
   */
  toDecimal(places?: number): string {
    if (places === undefined) {
      let d = this.den;
      let exact = 0;
      while (d % 10n === 0n) {
        d /= 10n;
        exact++;
      }
      while (d % 2n === 0n) {
        d /= 2n;
        exact++;
      }
      while (d % 5n === 0n) {
        d /= 5n;
        exact++;
      }
      return d === 1n ? trim(this.round(exact)) : trim(this.round(12));
    }
    return this.round(places);
  }

  /**
   * The decimal string stored for a pantry amount: exact whenever the value has a finite decimal form
   * (every amount that only adds, subtracts and converts between the built-in units does), with at
   * least `minPlaces` places so amounts read alike (`"2.000"`). A value with no finite form (a third,
   * from a product's own conversion) is kept to {@link STORED_PLACES} places: the one rounding left.
   */
  toStored(minPlaces = 3): string {
    let d = this.den;
    for (const p of [2n, 5n]) while (d % p === 0n) d /= p;
    const text = d === 1n ? this.toDecimal() : trim(this.round(STORED_PLACES));
    const [whole, fraction = ''] = text.split('.');
    return fraction.length >= minPlaces ? text : `${whole}.${fraction.padEnd(minPlaces, '0')}`;
  }

  toString(): string {
    return this.toDecimal();
  }

  private round(places: number): string {
    const scale = 10n ** BigInt(places);
    const negative = this.num < 0n;
    const abs = negative ? -this.num : this.num;
    const scaled = (abs * scale * 2n + this.den) / (this.den * 2n);
    const whole = scaled / scale;
    const fraction = (scaled % scale).toString().padStart(places, '0');
    const text = places > 0 ? `${whole}.${fraction}` : `${whole}`;
    return negative && scaled !== 0n ? `-${text}` : text;
  }
}

/** Places kept for a stored amount that has no finite decimal form. */
export const STORED_PLACES = 20;

function trim(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a === 0n ? 1n : a;
}

function invalid(value: string): ValidationError {
  return new ValidationError([{ path: [], message: `must be a decimal number such as "1.25", got "${excerpt(value)}"` }]);
}
