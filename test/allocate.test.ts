import { describe, expect, it } from 'vitest';
import { allocate, type AllocationLot, type AllocationNeed } from '../src/domain/allocate.js';
import { Quantity, createUnitRegistry } from '../src/index.js';

const units = createUnitRegistry();
const q = (value: string) => Quantity.of(value);
const need = (productId: string, quantity: string, unit: string | null, day: string | null = null): AllocationNeed => ({
  productId,
  quantity: q(quantity),
  unit,
  day,
});
const lot = (id: string, productId: string, quantity: string, unit: string | null, expiryDate: string | null = null): AllocationLot => ({
  id,
  productId,
  quantity: q(quantity),
  unit,
  expiryDate,
});
const none = () => undefined;
const dec = (x: Quantity) => x.toDecimal();

describe('allocate (pure, no database)', () => {
  it('takes lots in the order given, across lots, converting within a dimension', () => {
    const { takes, missing, left } = allocate([need('milk', '1.2', 'l')], [lot('a', 'milk', '500', 'ml'), lot('b', 'milk', '1', 'l')], units, none);
    expect(takes.map((t) => [t.lotId, dec(t.inLotUnit), dec(t.inNeedUnit)])).toEqual([
      ['a', '500', '0.5'],
      ['b', '0.7', '0.7'],
    ]);
    expect(missing.map(dec)).toEqual(['0']);
    expect(dec(left.get('b')!)).toBe('0.3');
  });

  it('reports what no lot covers, in the need unit', () => {
    const { missing } = allocate([need('milk', '2', 'l')], [lot('a', 'milk', '500', 'ml')], units, none);
    expect(missing.map(dec)).toEqual(['1.5']);
  });

  it('never serves a need from a lot expired by its day; a lot expiring that day still counts', () => {
    const lots = [lot('old', 'egg', '6', 'pcs', '2026-11-20'), lot('today', 'egg', '2', 'pcs', '2026-11-26')];
    const { takes, missing } = allocate([need('egg', '4', 'pcs', '2026-11-26')], lots, units, none);
    expect(takes.map((t) => t.lotId)).toEqual(['today']);
    expect(missing.map(dec)).toEqual(['2']);
  });

  it('skips a lot whose unit does not convert and goes on to later lots', () => {
    const lots = [lot('pack', 'egg', '1', 'pack'), lot('loose', 'egg', '6', 'pcs')];
    const { takes, missing } = allocate([need('egg', '4', 'pcs')], lots, units, none);
    expect(takes.map((t) => [t.lotId, dec(t.inLotUnit)])).toEqual([['loose', '4']]);
    expect(missing.map(dec)).toEqual(['0']);
  });

  it("follows the product's own conversions in chains (1 pack = 10 pcs, 1 pcs = 60 g)", () => {
    const conversions = { pack: { quantity: '10', unit: 'pcs' }, pcs: { quantity: '60', unit: 'g' } };
    const { takes, missing } = allocate([need('egg', '120', 'g')], [lot('pack', 'egg', '1', 'pack')], units, () => conversions);
    expect(takes.map((t) => [t.lotId, dec(t.inLotUnit), dec(t.inNeedUnit)])).toEqual([['pack', '0.2', '120']]);
    expect(missing.map(dec)).toEqual(['0']);
  });

  it('never counts the same stock for two needs: a product listed twice shares its lots', () => {
    const { missing } = allocate([need('flour', '300', 'g'), need('flour', '300', 'g')], [lot('a', 'flour', '0.5', 'kg')], units, none);
    expect(missing.map(dec)).toEqual(['0', '100']);
  });

  it('reads a missing unit as pieces, on needs and lots alike', () => {
    const { missing } = allocate([need('lemon', '2', null)], [lot('a', 'lemon', '3', null)], units, none);
    expect(missing.map(dec)).toEqual(['0']);
  });

  it('takes exactly: a third of a litre is a third, not 0.333', () => {
    const third = Quantity.of('1').div('3');
    const { takes, left } = allocate([{ productId: 'milk', quantity: third, unit: 'l', day: null }], [lot('a', 'milk', '1', 'l')], units, none);
    expect(takes[0]!.inLotUnit.cmp(third)).toBe(0);
    expect(left.get('a')!.mul('3').toDecimal()).toBe('2');
  });

  it("leaves other products' lots alone", () => {
    const { takes, missing } = allocate([need('milk', '1', 'l')], [lot('a', 'cream', '1', 'l')], units, none);
    expect(takes).toEqual([]);
    expect(missing.map(dec)).toEqual(['1']);
  });
});
