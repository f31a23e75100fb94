import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  createRepositories,
  NotFoundError,
  PantryLedger,
  UnitMismatchError,
  ValidationError,
  type Repositories,
} from '../src/index.js';
import { makeUser } from './support/fixtures.js';
import { useTestDatabase } from './support/test-database.js';

const t = useTestDatabase({ label: 'ledger' });

async function setup() {
  const repos: Repositories = createRepositories(t.engine);
  const ledger = new PantryLedger(t.engine);
  const user = await makeUser(repos, 'ledger');
  const dairy = await repos.categories.create({ name: 'Dairy' });
  const milk = await repos.products.create({ name: 'Milk', categoryId: dairy.id, storageInfo: { shelfLifeDays: 7, openedShelfLifeDays: 3 } });
  const eggs = await repos.products.create({ name: 'Eggs', storageInfo: { shelfLifeDays: 28, units: { pcs: { quantity: '60', unit: 'g' } } } });
  return { repos, ledger, user, milk, eggs, dairy };
}

describe('PantryLedger.addItem', () => {
  it("derives the expiry from the product's shelf life and the purchase date, normalises the unit and logs an added event", async () => {
    const { ledger, user, milk } = await setup();
    const { lot, event } = await ledger.addItem({ userId: user.id, productId: milk.id, quantity: '2', unit: 'Litre', purchaseDate: '2026-11-20', totalPrice: '6.98', storeName: 'Lidl' });
    expect(lot).toMatchObject({ unit: 'l', quantity: '2.000', purchaseDate: '2026-11-20', expiryDate: '2026-11-27', unitPrice: '3.4900', storeName: 'Lidl', openedAt: null });
    expect(event).toMatchObject({ eventType: 'added', quantity: '2.000', unit: 'l', value: '6.98', pantryItemId: lot.id, productId: milk.id, wasteReason: null });
    const explicit = await ledger.addItem({ userId: user.id, productId: milk.id, quantity: '1', unit: 'l', expiryDate: '2027-01-01' });
    expect(explicit.lot.expiryDate).toBe('2027-01-01');
    const undated = await ledger.addItem({ userId: user.id, productId: milk.id, quantity: '1', unit: 'l', expiryDate: null });
    expect(undated.lot.expiryDate).toBeNull();
  });

  it('refuses an unknown unit, a negative quantity and a missing product, writing nothing', async () => {
    const { ledger, user, milk } = await setup();
    await expect(ledger.addItem({ userId: user.id, productId: milk.id, quantity: '1', unit: 'furlong' })).rejects.toThrow(/unknown unit "furlong"/);
    await expect(ledger.addItem({ userId: user.id, productId: milk.id, quantity: '-1', unit: 'l' })).rejects.toBeInstanceOf(ValidationError);
    await expect(ledger.addItem({ userId: user.id, productId: '00000000-0000-4000-8000-000000000000', quantity: '1', unit: 'l' })).rejects.toBeInstanceOf(NotFoundError);
    expect(await ledger.getUseFirst(user.id)).toEqual([]);
  });
});

describe('consume, discard, open and undo', () => {
  it('consumes part of a lot in another unit, exactly, and values it from the lot price', async () => {
    const { ledger, user, milk } = await setup();
    const { lot } = await ledger.addItem({ userId: user.id, productId: milk.id, quantity: '1', unit: 'l', totalPrice: '3.00' });
    for (let i = 0; i < 3; i++) await ledger.consume(user.id, lot.id, '100', 'ml');
    const { lot: after, event } = await ledger.consume(user.id, lot.id, '0.1', 'l');
    expect(after.quantity).toBe('0.600');
    expect(event).toMatchObject({ eventType: 'consumed', quantity: '0.100', unit: 'l', value: '0.30', previousQuantity: '0.700' });
  });

  it('refuses to take more than the lot holds, and changes nothing', async () => {
    const { ledger, user, milk } = await setup();
    const { lot } = await ledger.addItem({ userId: user.id, productId: milk.id, quantity: '0.5', unit: 'l' });
    const error = await ledger.consume(user.id, lot.id, '600', 'ml').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toBe('Only 0.5 l left in this lot; cannot take 0.600');
    expect((await ledger.getUseFirst(user.id))[0]!.quantity).toBe('0.500');
  });

  it('converts across dimensions only through the product, and never guesses', async () => {
    const { ledger, user, eggs, milk } = await setup();
    const { lot } = await ledger.addItem({ userId: user.id, productId: eggs.id, quantity: '10', unit: 'szt' });
    expect((await ledger.consume(user.id, lot.id, '120', 'g')).lot.quantity).toBe('8.000');
    const milkLot = (await ledger.addItem({ userId: user.id, productId: milk.id, quantity: '1', unit: 'l' })).lot;
    await expect(ledger.consume(user.id, milkLot.id, '1', 'pcs')).rejects.toBeInstanceOf(UnitMismatchError);
  });

  it('discards with a reason and a money value', async () => {
    const { ledger, user, milk } = await setup();
    const { lot } = await ledger.addItem({ userId: user.id, productId: milk.id, quantity: '1', unit: 'l', totalPrice: '3.49' });
    const { event } = await ledger.discard(user.id, lot.id, '750', 'ml', 'spoiled');
    expect(event).toMatchObject({ eventType: 'wasted', wasteReason: 'spoiled', quantity: '0.750', value: '2.62' });
    await expect(ledger.discard(user.id, lot.id, '0.1', 'l', 'lost' as never)).rejects.toThrow(/reason: must be one of expired, spoiled, leftover, other/);
  });

  it('opening moves the expiry up to the opened shelf life, never later', async () => {
    const { ledger, user, milk } = await setup();
    const { lot } = await ledger.addItem({ userId: user.id, productId: milk.id, quantity: '1', unit: 'l', expiryDate: '2026-12-20' });
    const opened = await ledger.open(user.id, lot.id, { asOf: '2026-12-01' });
    expect(opened.lot.expiryDate).toBe('2026-12-04');
    expect(opened.lot.openedAt).toBeInstanceOf(Date);
    expect(opened.event).toMatchObject({ eventType: 'opened', quantity: '0.000', previousExpiryDate: '2026-12-20', previousOpenedAt: null });
    await expect(ledger.open(user.id, lot.id)).rejects.toThrow(/already open/);
    const soon = await ledger.addItem({ userId: user.id, productId: milk.id, quantity: '1', unit: 'l', expiryDate: '2026-12-02' });
    expect((await ledger.open(user.id, soon.lot.id, { asOf: '2026-12-01' })).lot.expiryDate).toBe('2026-12-02');
  });

  it('undo reverses the last change of a lot, one at a time, back to nothing', async () => {
    const { ledger, user, milk } = await setup();
    const added = await ledger.addItem({ userId: user.id, productId: milk.id, quantity: '1', unit: 'l', expiryDate: '2026-12-20' });
    const used = await ledger.consume(user.id, added.lot.id, '0.4', 'l');
    const opened = await ledger.open(user.id, added.lot.id, { asOf: '2026-12-01' });
    await expect(ledger.undoEvent(user.id, used.event.id)).rejects.toThrow(/Only the last change of a lot can be undone/);
    expect((await ledger.undoEvent(user.id, opened.event.id)).undoneAt).toBeInstanceOf(Date);
    let lot = (await ledger.getUseFirst(user.id))[0]!;
    expect(lot).toMatchObject({ quantity: '0.600', expiryDate: '2026-12-20', openedAt: null });
    await expect(ledger.undoEvent(user.id, opened.event.id)).rejects.toThrow(/already undone/);
    await ledger.undoEvent(user.id, used.event.id);
    lot = (await ledger.getUseFirst(user.id))[0]!;
    expect(lot.quantity).toBe('1.000');
    await ledger.undoEvent(user.id, added.event.id);
    expect(await ledger.getUseFirst(user.id)).toEqual([]);
  });
});

describe('use-first order and consuming a product across lots', () => {
  it('orders by earliest expiry, then opened lots, then the oldest purchase', async () => {
    const { ledger, user, milk } = await setup();
    const add = (expiryDate: string | null, purchaseDate: string) =>
      ledger.addItem({ userId: user.id, productId: milk.id, quantity: '1', unit: 'l', expiryDate, purchaseDate }).then((c) => c.lot);
    const late = await add('2026-12-10', '2026-11-01');
    const newer = await add('2026-12-05', '2026-11-20');
    const older = await add('2026-12-05', '2026-11-10');
    const opened = await add('2026-12-05', '2026-11-25');
    await ledger.open(user.id, opened.id, { asOf: '2026-11-01' });
    const undated = await add(null, '2026-10-01');
    expect((await ledger.getUseFirst(user.id)).map((l) => l.id)).toEqual([opened.id, older.id, newer.id, late.id, undated.id]);
  });

  it('consumeProduct takes across lots in use-first order, atomically, and refuses more than there is', async () => {
    const { ledger, user, eggs } = await setup();
    const first = (await ledger.addItem({ userId: user.id, productId: eggs.id, quantity: '3', unit: 'pcs', expiryDate: '2026-12-01' })).lot;
    const second = (await ledger.addItem({ userId: user.id, productId: eggs.id, quantity: '6', unit: 'pcs', expiryDate: '2026-12-08' })).lot;
    const changes = await ledger.consumeProduct(user.id, eggs.id, '300', 'g');
    expect(changes.map((c) => [c.lot.id, c.lot.quantity, c.event.quantity])).toEqual([
      [first.id, '0.000', '3.000'],
      [second.id, '4.000', '2.000'],
    ]);
    await expect(ledger.consumeProduct(user.id, eggs.id, '5', 'pcs')).rejects.toThrow(/Not enough in the pantry: 1.000 pcs short/);
    expect((await ledger.getUseFirst(user.id)).map((l) => l.quantity)).toEqual(['4.000']);
  });
});

describe('expiring, expired and waste stats', () => {
  it('lists lots expiring within n days and expired ones, skipping empty lots', async () => {
    const { ledger, user, milk } = await setup();
    const add = (expiryDate: string) => ledger.addItem({ userId: user.id, productId: milk.id, quantity: '1', unit: 'l', expiryDate }).then((c) => c.lot);
    const past = await add('2026-11-20');
    const today = await add('2026-11-26');
    const soon = await add('2026-11-29');
    await add('2026-12-10');
    const empty = await add('2026-11-27');
    await ledger.consume(user.id, empty.id, '1', 'l');
    expect((await ledger.getExpiringSoon(user.id, 3, { asOf: '2026-11-26' })).map((l) => l.id)).toEqual([today.id, soon.id]);
    expect((await ledger.getExpired(user.id, { asOf: '2026-11-26' })).map((l) => l.id)).toEqual([past.id]);
  });

  it('reports money and quantities wasted and consumed, by category, month and reason, with the share wasted', async () => {
    const { ledger, user, milk, eggs } = await setup();
    const m = (await ledger.addItem({ userId: user.id, productId: milk.id, quantity: '2', unit: 'l', totalPrice: '6.00' })).lot;
    const e = (await ledger.addItem({ userId: user.id, productId: eggs.id, quantity: '10', unit: 'pcs', totalPrice: '4.00' })).lot;
    await ledger.discard(user.id, m.id, '1', 'l', 'expired');
    await ledger.consume(user.id, m.id, '0.5', 'l');
    await ledger.discard(user.id, e.id, '2', 'pcs', 'spoiled');
    const undone = await ledger.consume(user.id, e.id, '1', 'pcs');
    await ledger.undoEvent(user.id, undone.event.id);
    const today = new Date().toISOString().slice(0, 10);
    const stats = await ledger.getWasteStats(user.id, '2020-01-01', '2100-01-01');
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
    const { ledger, repos, user, milk } = await setup();
    const other = await makeUser(repos, 'other');
    const { lot, event } = await ledger.addItem({ userId: other.id, productId: milk.id, quantity: '1', unit: 'l', totalPrice: '2.00', expiryDate: '2026-11-27' });
    await expect(ledger.consume(user.id, lot.id, '0.1', 'l')).rejects.toBeInstanceOf(NotFoundError);
    await expect(ledger.discard(user.id, lot.id, '0.1', 'l', 'other')).rejects.toBeInstanceOf(NotFoundError);
    await expect(ledger.open(user.id, lot.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(ledger.undoEvent(user.id, event.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(ledger.consumeProduct(user.id, milk.id, '0.1', 'l')).rejects.toBeInstanceOf(ConflictError);
    expect(await ledger.getExpiringSoon(user.id, 30, { asOf: '2026-11-26' })).toEqual([]);
    expect(await ledger.getUseFirst(user.id)).toEqual([]);
    expect((await ledger.getWasteStats(user.id, '2020-01-01', '2100-01-01')).totals.purchasedValue).toBe('0.00');
    expect((await ledger.getUseFirst(other.id))[0]!.quantity).toBe('1.000');
  });
});

describe('plain CRUD on pantry items is journalled too', () => {
  it('create, update and delete through the repository write added and adjusted events that undo works on', async () => {
    const { repos, ledger, user, milk } = await setup();
    const lot = await repos.pantryItems.create({ userId: user.id, productId: milk.id, quantity: '2', unit: 'l', expiryDate: '2026-12-01' });
    await repos.pantryItems.update(lot.id, { quantity: '1.5', expiryDate: '2026-12-03' });
    await repos.pantryItems.update(lot.id, { notes: 'top shelf' });
    const events = await t.engine.models.PantryEvent.findAll({ where: { pantryItemId: lot.id }, order: [['createdAt', 'ASC']] });
    expect(events.map((e) => [e.eventType, e.quantity, e.previousQuantity, e.previousExpiryDate])).toEqual([
      ['added', '2.000', null, null],
      ['adjusted', '-0.500', '2.000', '2026-12-01'],
    ]);
    await ledger.undoEvent(user.id, events[1]!.id);
    expect(await repos.pantryItems.get(lot.id)).toMatchObject({ quantity: '2.000', expiryDate: '2026-12-01', notes: 'top shelf' });
    expect(await repos.pantryItems.delete(lot.id)).toBe(true);
    const removal = await t.engine.models.PantryEvent.findOne({ where: { userId: user.id, eventType: 'adjusted', quantity: '-2.000' } });
    expect(removal).not.toBeNull();
    expect(await repos.pantryItems.delete(lot.id)).toBe(false);
  });
});
