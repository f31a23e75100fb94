import { describe, expect, it } from 'vitest';
import { createUnitRegistry, Quantity, UnitMismatchError, ValidationError } from '../src/index.js';
import { productStorageInfoSchema } from '../src/entries/schemas.js';

const units = createUnitRegistry();

describe('Quantity', () => {
  it('is exact: 0.1 kg added three times is 0.3 kg', () => {
    const total = Quantity.of('0.1').add('0.1').add('0.1');
    expect(total.toDecimal()).toBe('0.3');
    expect(total.cmp('0.3')).toBe(0);
    expect(0.1 + 0.1 + 0.1).not.toBe(0.3);
  });

  it('multiplies, divides, subtracts and rounds half away from zero only when asked', () => {
    expect(Quantity.of('1.254').mul('3').toDecimal()).toBe('3.762');
    expect(Quantity.of('1').div('3').toDecimal(3)).toBe('0.333');
    expect(Quantity.of('2').div('3').toDecimal(3)).toBe('0.667');
    expect(Quantity.of('-0.0005').toDecimal(3)).toBe('-0.001');
    expect(Quantity.of('0.5').sub('0.75').toDecimal()).toBe('-0.25');
    expect(Quantity.of(12).toDecimal(2)).toBe('12.00');
  });

  it('refuses what is not a decimal', () => {
    expect(() => Quantity.of('1e3')).toThrow(ValidationError);
    expect(() => Quantity.of(Number.NaN)).toThrow(/must be a decimal number/);
    expect(() => Quantity.of('1').div('0')).toThrow(/division by zero/);
  });
});

describe('units', () => {
  it.each([
    ['Kg', 'kg'], ['KG', 'kg'], ['kilogram', 'kg'], ['gram', 'g'], ['g.', 'g'], ['szt', 'pcs'], ['szt.', 'pcs'],
    ['Pieces', 'pcs'], ['litre', 'l'], ['ML', 'ml'], ['tablespoons', 'tbsp'], ['łyżeczka', 'tsp'], ['op.', 'pack'], ['tuzin', 'dozen'],
  ])('normalises %s to %s', (typed, canonical) => {
    expect(units.normalize(typed)).toBe(canonical);
  });

  it('takes extra aliases without touching other registries', () => {
    const mine = createUnitRegistry({ aliases: { 'Główka': 'pcs' } });
    expect(mine.normalize('główka')).toBe('pcs');
    expect(units.tryNormalize('główka')).toBeUndefined();
    expect(() => createUnitRegistry({ aliases: { x: 'furlong' as never } })).toThrow(/furlong is not a canonical unit/);
    expect(() => units.normalize('furlong')).toThrow(/unknown unit "furlong"/);
  });

  it('converts exactly within a dimension', () => {
    expect(units.convert('500', 'g', 'kg').toDecimal()).toBe('0.5');
    expect(units.convert('1', 'oz', 'g').toDecimal()).toBe('28.349523125');
    expect(units.convert('1', 'lb', 'oz').toDecimal()).toBe('16');
    expect(units.convert('1', 'cup', 'tbsp').toDecimal()).toBe('16');
    expect(units.convert('1', 'tbsp', 'tsp').toDecimal()).toBe('3');
    expect(units.convert('2', 'dozen', 'pcs').toDecimal()).toBe('24');
    expect(units.convert('250', 'ml', 'l').add(units.convert('0.75', 'l', 'l')).toDecimal()).toBe('1');
    expect(units.dimensionOf('tsp')).toBe('volume');
  });

  it('converts across dimensions only through the product, chaining conversions', () => {
    const egg = { pcs: { quantity: '60', unit: 'g' }, pack: { quantity: '10', unit: 'pcs' } };
    expect(units.convert('2', 'pcs', 'g', egg).toDecimal()).toBe('120');
    expect(units.convert('0.3', 'kg', 'pcs', egg).toDecimal()).toBe('5');
    expect(units.convert('1', 'pack', 'kg', egg).toDecimal()).toBe('0.6');
    expect(units.convert('1', 'dozen', 'pack', egg).toDecimal()).toBe('1.2');
  });

  it('throws UnitMismatchError instead of guessing', () => {
    const error = (() => {
      try {
        units.convert('1', 'pcs', 'g');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(UnitMismatchError);
    expect(error).toMatchObject({ code: 'UNIT_MISMATCH', from: 'pcs', to: 'g' });
    expect(() => units.convert('1', 'pack', 'pcs')).toThrow(UnitMismatchError);
    expect(() => units.convert('1', 'l', 'kg', { pcs: { quantity: '60', unit: 'g' } })).toThrow(UnitMismatchError);
  });

  it('documents the product storage_info shape as a zod schema', () => {
    const info = productStorageInfoSchema.parse({ shelfLifeDays: 14, openedShelfLifeDays: 3, units: { pcs: { quantity: 60, unit: 'g' } }, fridge: true });
    expect(info).toEqual({ shelfLifeDays: 14, openedShelfLifeDays: 3, units: { pcs: { quantity: '60', unit: 'g' } }, fridge: true });
    expect(productStorageInfoSchema.safeParse({ shelfLifeDays: -1 }).success).toBe(false);
    // snake_case keys, as the Python design would store them, are read too.
    expect(productStorageInfoSchema.parse({ shelf_life_days: 5, opened_shelf_life_days: 2 })).toMatchObject({ shelfLifeDays: 5, openedShelfLifeDays: 2 });
  });
});
