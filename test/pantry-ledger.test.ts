import { describe, expect, it } from 'vitest';
import { ConflictError, createFoodsave, NotFoundError, UnitMismatchError, ValidationError, withRowScope, type Foodsave } from '../src/index.js';
import { decadeAroundToday, makeUser } from './support/fixtures.js';
import { useTestDatabase } from './support/test-database.js';

const t = useTestDatabase({ label: 'ledger' });

async function setup() {
  const db: Foodsave = createFoodsave(t.engine);
  const user = await makeUser(db, 'ledger');
  const me = db.forUser(user.id);
  const ledger = me.ledger;
  const dairy = await db.catalog.categories.create({ name: 'Dairy' });
  const milk = await db.catalog.products.create({ name: 'Milk', categoryId: dairy.id, storageInfo: { shelfLifeDays: 7, openedShelfLifeDays: 3 } });
  const eggs = await db.catalog.products.create({ name: 'Eggs', storageInfo: { shelfLifeDays: 28, units: { pcs: { quantity: '60', unit: 'g' } } } });
  return { db, me, ledger, user, milk, eggs, dairy };
}

describe('PantryLedger.addItem', () => {
  it("derives the expiry from the product's shelf life and the purchase date, normalises the unit and logs an added event", async () => {
    const { ledger, milk } = await setup();
    const { lot, event } = await ledger.addItem({ productId: milk.id, quantity: '2', unit: 'Litre', purchaseDate: '2100-11-20', totalPrice: '6.98', storeName: 'Lidl' });
    expect(lot).toMatchObject({ unit: 'l', quantity: '2.000', purchaseDate: '2100-11-20', expiryDate: '2100-11-27', unitPrice: '3.4900', storeName: 'Lidl', openedAt: null });
    expect(event).toMatchObject({ eventType: 'added', quantity: '2.000', unit: 'l', value: '6.98', pantryItemId: lot.id, productId: milk.id, wasteReason: null });
    const explicit = await ledger.addItem({ productId: milk.id, quantity: '1', unit: 'l', expiryDate: '2101-01-01' });
    expect(explicit.lot.expiryDate).toBe('2101-01-01');
    const undated = await ledger.addItem({ productId: milk.id, quantity: '1', unit: 'l', expiryDate: null });
    expect(undated.lot.expiryDate).toBeNull();
  });

  it('refuses an unknown unit, a negative quantity and a missing product, writing nothing', async () => {
    const { ledger, milk } = await setup();
    await expect(ledger.addItem({ productId: milk.id, quantity: '1', unit: 'furlong' })).rejects.toThrow(/unknown unit "furlong"/);
    await expect(ledger.addItem({ productId: milk.id, quantity: '-1', unit: 'l' })).rejects.toBeInstanceOf(ValidationError);
    await expect(ledger.addItem({ productId: '00000000-0000-4000-8000-000000000000', quantity: '1', unit: 'l' })).rejects.toBeInstanceOf(NotFoundError);
    expect(await ledger.getUseFirst()).toEqual([]);
  });
});

describe('consume, discard, open and undo', () => {
  it('consumes part of a lot in another unit, exactly, and values it from the lot price', async () => {
    const { ledger, milk } = await setup();
    const { lot } = await ledger.addItem({ productId: milk.id, quantity: '1', unit: 'l', totalPrice: '3.00' });
    for (let i = 0; i < 3; i++) await ledger.consume(lot.id, { quantity: '100', unit: 'ml' });
    const { lot: after, event } = await ledger.consume(lot.id, { quantity: '0.1', unit: 'l' });
    expect(after.quantity).toBe('0.600');
    expect(event).toMatchObject({ eventType: 'consumed', quantity: '0.100', unit: 'l', value: '0.30', previousQuantity: '0.700' });
  });

  it('refuses to take more than the lot holds, and changes nothing', async () => {
    const { ledger, milk } = await setup();
    const { lot } = await ledger.addItem({ productId: milk.id, quantity: '0.5', unit: 'l' });
    const error = await ledger.consume(lot.id, { quantity: '600', unit: 'ml' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toBe('Only 0.5 l left in this lot; cannot take 0.600');
    expect((await ledger.getUseFirst())[0]!.quantity).toBe('0.500');
  });

  it('converts across dimensions only through the product, and never guesses', async () => {
    const { ledger, eggs, milk } = await setup();
    const { lot } = await ledger.addItem({ productId: eggs.id, quantity: '10', unit: 'szt' });
    expect((await ledger.consume(lot.id, { quantity: '120', unit: 'g' })).lot.quantity).toBe('8.000');
    const milkLot = (await ledger.addItem({ productId: milk.id, quantity: '1', unit: 'l' })).lot;
    await expect(ledger.consume(milkLot.id, { quantity: '1', unit: 'pcs' })).rejects.toBeInstanceOf(UnitMismatchError);
  });

  it('discards with a reason and a money value', async () => {
    const { ledger, milk } = await setup();
    const { lot } = await ledger.addItem({ productId: milk.id, quantity: '1', unit: 'l', totalPrice: '3.49' });
    const { event } = await ledger.discard(lot.id, { quantity: '750', unit: 'ml' }, 'spoiled');
    expect(event).toMatchObject({ eventType: 'wasted', wasteReason: 'spoiled', quantity: '0.750', value: '2.62' });
    await expect(ledger.discard(lot.id, { quantity: '0.1', unit: 'l' }, 'lost' as never)).rejects.toThrow(/reason: must be one of expired, spoiled, leftover, other/);
  });

  it('opening moves the expiry up to the opened shelf life, never later', async () => {
    const { ledger, milk } = await setup();
    const { lot } = await ledger.addItem({ productId: milk.id, quantity: '1', unit: 'l', expiryDate: '2100-12-20' });
    const opened = await ledger.open(lot.id, { asOf: '2100-12-01' });
    expect(opened.lot.expiryDate).toBe('2100-12-04');
    expect(opened.lot.openedAt).toBeInstanceOf(Date);
    expect(opened.event).toMatchObject({ eventType: 'opened', quantity: '0.000', previousExpiryDate: '2100-12-20', previousOpenedAt: null });
    await expect(ledger.open(lot.id)).rejects.toThrow(/already open/);
    const soon = await ledger.addItem({ productId: milk.id, quantity: '1', unit: 'l', expiryDate: '2100-12-02' });
    expect((await ledger.open(soon.lot.id, { asOf: '2100-12-01' })).lot.expiryDate).toBe('2100-12-02');
  });

  it('undo reverses the last change of a lot, one at a time, back to nothing', async () => {
    const { ledger, milk } = await setup();
    const added = await ledger.addItem({ productId: milk.id, quantity: '1', unit: 'l', expiryDate: '2100-12-20' });
    const used = await ledger.consume(added.lot.id, { quantity: '0.4', unit: 'l' });
    const opened = await ledger.open(added.lot.id, { asOf: '2100-12-01' });
    await expect(ledger.undoEvent(used.event.id)).rejects.toThrow(/Only the last change of a lot can be undone/);
    expect((await ledger.undoEvent(opened.event.id)).undoneAt).toBeInstanceOf(Date);
    let lot = (await ledger.getUseFirst())[0]!;
    expect(lot).toMatchObject({ quantity: '0.600', expiryDate: '2100-12-20', openedAt: null });
    await expect(ledger.undoEvent(opened.event.id)).rejects.toThrow(/already undone/);
    await ledger.undoEvent(used.event.id);
    lot = (await ledger.getUseFirst())[0]!;
    expect(lot.quantity).toBe('1.000');
    await ledger.undoEvent(added.event.id);
    expect(await ledger.getUseFirst()).toEqual([]);
  });
});

describe('use-first order and consuming a product across lots', () => {
  it('orders by earliest expiry, then opened lots, then the oldest purchase', async () => {
    const { ledger, milk } = await setup();
    const add = (expiryDate: string | null, purchaseDate: string) =>
      ledger.addItem({ productId: milk.id, quantity: '1', unit: 'l', expiryDate, purchaseDate }).then((c) => c.lot);
    const late = await add('2100-12-10', '2100-11-01');
    const newer = await add('2100-12-05', '2100-11-20');
    const older = await add('2100-12-05', '2100-11-10');
    const opened = await add('2100-12-05', '2100-11-25');
    await ledger.open(opened.id, { asOf: '2100-11-01' });
    const undated = await add(null, '2100-10-01');
    expect((await ledger.getUseFirst()).map((l) => l.id)).toEqual([opened.id, older.id, newer.id, late.id, undated.id]);
  });

  it('consumeProduct takes across lots in use-first order, atomically, and refuses more than there is', async () => {
    const { ledger, eggs } = await setup();
    const first = (await ledger.addItem({ productId: eggs.id, quantity: '3', unit: 'pcs', expiryDate: '2100-12-01' })).lot;
    const second = (await ledger.addItem({ productId: eggs.id, quantity: '6', unit: 'pcs', expiryDate: '2100-12-08' })).lot;
    const changes = await ledger.consumeProduct(eggs.id, { quantity: '300', unit: 'g' });
    expect(changes.map((c) => [c.lot.id, c.lot.quantity, c.event.quantity])).toEqual([
      [first.id, '0.000', '3.000'],
      [second.id, '4.000', '2.000'],
    ]);
    await expect(ledger.consumeProduct(eggs.id, { quantity: '5', unit: 'pcs' })).rejects.toThrow(/Not enough in the pantry: 1.000 pcs short/);
    expect((await ledger.getUseFirst()).map((l) => l.quantity)).toEqual(['4.000']);
  });
});

describe('expiring, expired and waste stats', () => {
  it('lists lots expiring within n days and expired ones, skipping empty lots', async () => {
    const { ledger, milk } = await setup();
    const add = (expiryDate: string) => ledger.addItem({ productId: milk.id, quantity: '1', unit: 'l', expiryDate }).then((c) => c.lot);
    const past = await add('2100-11-20');
    const today = await add('2100-11-26');
    const soon = await add('2100-11-29');
    await add('2100-12-10');
    const empty = await add('2100-11-27');
    await ledger.consume(empty.id, { quantity: '1', unit: 'l' });
    expect((await ledger.getExpiringSoon(3, { asOf: '2100-11-26' })).map((l) => l.id)).toEqual([today.id, soon.id]);
    expect((await ledger.getExpired({ asOf: '2100-11-26' })).map((l) => l.id)).toEqual([past.id]);
  });

  it('reports money and quantities wasted and consumed, by category, month and reason, with the share wasted', async () => {
    const { ledger, milk, eggs } = await setup();
    const m = (await ledger.addItem({ productId: milk.id, quantity: '2', unit: 'l', totalPrice: '6.00' })).lot;
    const e = (await ledger.addItem({ productId: eggs.id, quantity: '10', unit: 'pcs', totalPrice: '4.00' })).lot;
    await ledger.discard(m.id, { quantity: '1', unit: 'l' }, 'expired');
    await ledger.consume(m.id, { quantity: '0.5', unit: 'l' });
    await ledger.discard(e.id, { quantity: '2', unit: 'pcs' }, 'spoiled');
    const undone = await ledger.consume(e.id, { quantity: '1', unit: 'pcs' });
    await ledger.undoEvent(undone.event.id);
    const today = new Date().toISOString().slice(0, 10);
    const stats = await ledger.getWasteStats(decadeAroundToday());
    expect(stats.totals).toEqual({ wastedValue: '3.80', consumedValue: '1.50', purchasedValue: '10.00', wastedShare: '0.3800' });
    expect(stats.byCategory).toEqual([
      { categoryId: milk.categoryId, categoryName: 'Dairy', wastedValue: '3.00', consumedValue: '1.50', quantities: [{ unit: 'l', wasted: '1.000', consumed: '0.500' }] },
      { categoryId: null, categoryName: null, wastedValue: '0.80', consumedValue: '0.00', quantities: [{ unit: 'pcs', wasted: '2.000', consumed: '0.000' }] },
    ]);
    expect(stats.byMonth).toHaveLength(1);
    expect(stats.byMonth[0]).toMatchObject({ month: today.slice(0, 7), wastedValue: '3.80', purchasedValue: '10.00' });
    expect(stats.byReason).toEqual([
      { reason: 'expired', wastedValue: '3.00', events: 1 },
      { reason: 'spoiled', wastedValue: '0.80', events: 1 },
    ]);
  });
});

describe("the same user's data only", () => {
  it("refuses another user's lots and events, and reports only the user's own", async () => {
    const { db, ledger, milk } = await setup();
    const other = await makeUser(db, 'other');
    const theirs = db.forUser(other.id).ledger;
    const { lot, event } = await theirs.addItem({ productId: milk.id, quantity: '1', unit: 'l', totalPrice: '2.00', expiryDate: '2100-11-27' });
    await expect(ledger.consume(lot.id, { quantity: '0.1', unit: 'l' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(ledger.discard(lot.id, { quantity: '0.1', unit: 'l' }, 'other')).rejects.toBeInstanceOf(NotFoundError);
    await expect(ledger.open(lot.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(ledger.undoEvent(event.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(ledger.consumeProduct(milk.id, { quantity: '0.1', unit: 'l' })).rejects.toBeInstanceOf(ConflictError);
    expect(await ledger.getExpiringSoon(30, { asOf: '2100-11-26' })).toEqual([]);
    expect(await ledger.getUseFirst()).toEqual([]);
    expect((await ledger.getWasteStats(decadeAroundToday())).totals.purchasedValue).toBe('0.00');
    expect((await theirs.getUseFirst())[0]!.quantity).toBe('1.000');
  });
});

describe('plain CRUD on pantry items is journalled too', () => {
  it('create, update and delete through the repository write added and adjusted events that undo works on', async () => {
    const { me, ledger, user, milk } = await setup();
    const lot = await me.pantry.create({ productId: milk.id, quantity: '2', unit: 'l', expiryDate: '2100-12-01' });
    await me.pantry.update(lot.id, { quantity: '1.5', expiryDate: '2100-12-03' });
    await me.pantry.update(lot.id, { notes: 'top shelf' });
    // The models are held to row-level security like any SQL of the host's: they see a user's rows in that user's scope.
    const events = await withRowScope(t.engine, { userId: user.id }, (transaction) =>
      t.engine.models.PantryEvent.findAll({ where: { pantryItemId: lot.id }, order: [['createdAt', 'ASC']], transaction }),
    );
    expect(events.map((e) => [e.eventType, e.quantity, e.previousQuantity, e.previousExpiryDate])).toEqual([
      ['added', '2.000', null, null],
      ['adjusted', '-0.500', '2.000', '2100-12-01'],
    ]);
    await ledger.undoEvent(events[1]!.id);
    expect(await me.pantry.get(lot.id)).toMatchObject({ quantity: '2.000', expiryDate: '2100-12-01', notes: 'top shelf' });
    expect(await me.pantry.delete(lot.id)).toBe(true);
    const removal = await withRowScope(t.engine, { userId: user.id }, (transaction) =>
      t.engine.models.PantryEvent.findOne({ where: { userId: user.id, eventType: 'adjusted', quantity: '-2.000' }, transaction }),
    );
    expect(removal).not.toBeNull();
    expect(await me.pantry.delete(lot.id)).toBe(false);
  });
});
