/**
 * Quick start: connect, migrate, and serve one user through their scope.
 *
 *   npm run example                                 # starts a throwaway embedded PostgreSQL 15
 *   TEST_PG_MAJOR=18 npm run example                # ... or another installed major (13 to 18)
 *   DATABASE_URL=postgres://... npm run example     # uses your server (and adds a few rows to it)
 */
import { randomUUID } from 'node:crypto';
import { QueryTypes } from 'sequelize';
import {
  createEngine,
  createFoodsave,
  migrationStatus,
  runMigrations,
  withTransaction,
  type Engine,
  type Foodsave,
  type ProductRecord,
  type ReceiptWithItems,
  type UserScope,
} from '../src/index.js';
import { startEmbedded, type PostgresServer } from '../test/support/postgres-server.js';

const today = new Date().toISOString().slice(0, 10);
const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
const thisMonth = { from: `${today.slice(0, 8)}01`, to: today };

async function main(): Promise<void> {
  let server: PostgresServer | undefined;
  if (!process.env.DATABASE_URL) {
    server = await startEmbedded();
    console.log(`DATABASE_URL is unset: started ${server.description}`);
  }
  const engine = createEngine({ logger: console, ...(server ? { url: server.url } : {}) });
  try {
    await startUp(engine);
    const db = createFoodsave(engine);
    const suffix = randomUUID().slice(0, 8);
    const { me, conversationId } = await signUp(engine, db, suffix);
    await chat(me, conversationId);
    const receipt = await shop(me, conversationId);
    const products = await stockTheReceipt(db, me, receipt, suffix);
    await eatAndWaste(me, products);
    await planMeals(db, me, products, suffix);
    console.log('pool:', engine.poolStats());
  } finally {
    await engine.close();
    await server?.stop();
  }
  console.log('closed cleanly');
}

/** What a host service does at startup: check the server, then migrate (concurrent replicas wait for each other). */
async function startUp(engine: Engine): Promise<void> {
  const [{ version }] = (await engine.sequelize.query<{ version: string }>('SELECT version() AS version', {
    type: QueryTypes.SELECT,
  })) as [{ version: string }];
  console.log(`server: ${version}`);
  const { url, poolSize, maxOverflow, poolTimeout, poolRecycle, echo, echoPool } = engine.settings;
  console.log('settings:', { url, poolSize, maxOverflow, poolTimeout, poolRecycle, echo, echoPool });
  const applied = await runMigrations(engine);
  console.log(`migrations applied: ${applied.join(', ') || 'none (already up to date)'}`);
  const status = await migrationStatus(engine);
  console.log(`migrations: ${status.executed.length} applied, ${status.pending.length} pending`);
}

/** Signing up is back-office work; everything after it happens inside the user's own scope. */
async function signUp(engine: Engine, db: Foodsave, suffix: string): Promise<{ me: UserScope; conversationId: string }> {
  const { user, conversation } = await withTransaction(engine, async (transaction) => {
    const user = await db.admin.users.create(
      { username: `ana-${suffix}`, email: `ana-${suffix}@example.com`, preferences: { householdSize: 2 } },
      { transaction },
    );
    const conversation = await db.forUser(user.id).conversations.create({ sessionId: `web-${suffix}`, title: 'What to cook tonight' }, { transaction });
    return { user, conversation };
  });
  console.log(`user ${user.username} (${user.id})`);
  return { me: db.forUser(user.id), conversationId: conversation.id };
}

async function chat(me: UserScope, conversationId: string): Promise<void> {
  await me.conversations.addMessage(conversationId, { content: 'I have spinach that goes off tomorrow.', role: 'user' });
  await me.conversations.addMessage(conversationId, {
    content: 'Spinach and feta omelette: 10 minutes.',
    role: 'assistant',
    agentUsed: 'recipe-agent',
    confidence: 0.87,
  });
  const context = await me.conversations.getContextWindow(conversationId, 10);
  for (const m of context) console.log(`  ${m.role}: ${m.content}`);
}

/** Two receipts, one with its lines, and what they add up to this month. */
async function shop(me: UserScope, conversationId: string): Promise<ReceiptWithItems> {
  const receipt = await me.receipts.createWithItems(
    { storeName: 'Lidl', totalAmount: '9.47', purchaseDate: today, conversationId },
    [
      { productName: 'Spinach 250 g', quantity: '0.25', unit: 'kg', unitPrice: '7.96', totalPrice: '1.99' },
      { productName: 'Feta 200 g', quantity: '0.2', unit: 'kg', unitPrice: '12.45', totalPrice: '2.49' },
      { productName: 'Eggs M x10', quantity: '10', unit: 'szt', unitPrice: '0.33', totalPrice: '3.29' },
      { productName: 'Apples', quantity: '1.254', unit: 'kg', unitPrice: '1.39', totalPrice: '1.74' },
      { productName: 'Discount', unitPrice: '-0.04', totalPrice: '-0.04' },
    ],
  );
  console.log(`receipt ${receipt.id}: ${receipt.items.length} lines, total ${receipt.totalAmount}`);
  await me.receipts.create({ storeName: 'Biedronka', totalAmount: '23.10', purchaseDate: today });
  console.log('spending this month:', await me.receipts.getSpendingStats(thisMonth));
  return receipt;
}

type Products = Record<'spinach' | 'feta' | 'eggs' | 'apples' | 'flour', ProductRecord>;

/**
 * The food-saving story. Products know their shelf life and their own unit conversions. The receipt's
 * lines are matched to products (the user confirms), then stocked as priced lots.
 */
async function stockTheReceipt(db: Foodsave, me: UserScope, receipt: ReceiptWithItems, suffix: string): Promise<Products> {
  const product = (name: string, storageInfo: Record<string, unknown>) => db.catalog.products.create({ name: `${name} ${suffix}`, storageInfo });
  const products: Products = {
    spinach: await product('Spinach', { shelfLifeDays: 2 }),
    feta: await product('Feta', { shelfLifeDays: 12, openedShelfLifeDays: 4 }),
    eggs: await product('Eggs', { shelfLifeDays: 21, units: { pcs: { quantity: '60', unit: 'g' } } }),
    apples: await product('Apples', { shelfLifeDays: 14 }),
    flour: await product('Flour', {}),
  };
  const proposals = await me.receipts.matchReceiptItems(receipt.id);
  console.log('proposed matches:', proposals.map((p) => `${p.productName} -> ${p.source ?? 'none'}`).join(', '));
  const byLine = new Map([
    ['Spinach 250 g', products.spinach.id],
    ['Feta 200 g', products.feta.id],
    ['Eggs M x10', products.eggs.id],
    ['Apples', products.apples.id],
  ]);
  for (const item of receipt.items) {
    const productId = byLine.get(item.productName);
    if (productId) await me.receipts.acceptMatch(item.id, productId);
  }
  const stocked = await me.ledger.stockFromReceipt(receipt.id);
  console.log(`stocked ${stocked.length} lots:`, stocked.map((l) => `${l.lot.quantity} ${l.lot.unit} until ${l.lot.expiryDate}`).join('; '));
  return products;
}

/** Two eggs are eaten; some apples go bad. */
async function eatAndWaste(me: UserScope, products: Products): Promise<void> {
  const lots = await me.ledger.getUseFirst();
  const lotOf = (product: ProductRecord) => lots.find((l) => l.productId === product.id)!;
  await me.ledger.consume(lotOf(products.eggs).id, { quantity: '2', unit: 'szt' });
  const wasted = await me.ledger.discard(lotOf(products.apples).id, { quantity: '300', unit: 'g' }, 'spoiled');
  console.log(`wasted ${wasted.event.quantity} ${wasted.event.unit} of apples, worth ${wasted.event.value}`);
}

/** What expires soon, what to cook with it, next week's shopping list, and the waste so far. */
async function planMeals(db: Foodsave, me: UserScope, { spinach, feta, eggs, apples, flour }: Products, suffix: string): Promise<void> {
  const soon = await me.ledger.getExpiringSoon(3);
  console.log('expiring within 3 days:', soon.map((l) => `${l.quantity} ${l.unit} (${l.expiryDate})`).join(', '));
  const omelette = await db.catalog.recipes.createRecipe({ title: `Spinach omelette ${suffix}`, servings: 2 }, [
    { productId: eggs.id, quantity: '180', unit: 'g' },
    { productId: spinach.id, quantity: '100', unit: 'g' },
    { productId: feta.id, quantity: '50', unit: 'g' },
  ]);
  await db.catalog.recipes.createRecipe({ title: `Apple pie ${suffix}`, servings: 8 }, [
    { productId: apples.id, quantity: '0.8', unit: 'kg' },
    { productId: flour.id, quantity: '300', unit: 'g' },
  ]);
  for (const r of await me.recipes.getCookableRecipes({ maxMissing: 2 })) {
    console.log(`  cook: ${r.recipe.title} (missing ${r.missingCount}, uses food expiring ${r.soonestExpiry ?? 'later'}, saves ${r.savedValue})`);
  }
  const plan = await me.mealPlans.create({ planDate: inDays(7), mealType: 'dinner' });
  await me.mealPlans.addItem(plan.id, { recipeId: omelette.id, servings: 4 });
  const list = await me.mealPlans.getShoppingList({ from: inDays(1), to: inDays(7) });
  for (const group of list.byCategory) {
    console.log(`  buy: ${group.items.map((i) => `${i.quantity} ${i.unit} ${i.productName}`).join(', ')}`);
  }
  const waste = await me.ledger.getWasteStats(thisMonth);
  console.log('waste this month:', waste.totals);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
