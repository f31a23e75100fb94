/**
 * Quick start: connect, migrate, and use the repositories.
 *
 *   npm run example                                 # starts a throwaway embedded PostgreSQL
 *   DATABASE_URL=postgres://... npm run example     # uses your server (and adds a few rows to it)
 */
import { randomUUID } from 'node:crypto';
import { QueryTypes } from 'sequelize';
import {
  createEngine,
  createRepositories,
  migrationStatus,
  PantryLedger,
  runMigrations,
  withTransaction,
} from '../src/index.js';
import { startEmbedded, type PostgresServer } from '../test/support/postgres-server.js';

async function main(): Promise<void> {
  let server: PostgresServer | undefined;
  if (!process.env.DATABASE_URL) {
    server = await startEmbedded();
    console.log(`DATABASE_URL is unset: started ${server.description}`);
  }
  const engine = createEngine({ logger: console, ...(server ? { url: server.url } : {}) });
  try {
    const [{ version }] = (await engine.sequelize.query<{ version: string }>('SELECT version() AS version', {
      type: QueryTypes.SELECT,
    })) as [{ version: string }];
    console.log(`server: ${version}`);
    const { url, poolSize, maxOverflow, poolTimeout, poolRecycle, echo, echoPool } = engine.settings;
    console.log('settings:', { url, poolSize, maxOverflow, poolTimeout, poolRecycle, echo, echoPool });

    // Host services do this at startup; concurrent replicas wait for each other.
    const applied = await runMigrations(engine);
    console.log(`migrations applied: ${applied.join(', ') || 'none (already up to date)'}`);
    const status = await migrationStatus(engine);
    console.log(`migrations: ${status.executed.length} applied, ${status.pending.length} pending`);

    const repos = createRepositories(engine);
    const suffix = randomUUID().slice(0, 8);
    const { user, conversation } = await withTransaction(engine, async (transaction) => {
      const user = await repos.users.create(
        { username: `ana-${suffix}`, email: `ana-${suffix}@example.com`, preferences: { householdSize: 2 } },
        { transaction },
      );
      const conversation = await repos.conversations.create(
        { userId: user.id, sessionId: `web-${suffix}`, title: 'What to cook tonight' },
        { transaction },
      );
      return { user, conversation };
    });
    console.log(`user ${user.username} (${user.id})`);

    await repos.conversations.addMessage(conversation.id, 'I have spinach that goes off tomorrow.', 'user');
    await repos.conversations.addMessage(conversation.id, 'Spinach and feta omelette: 10 minutes.', 'assistant', 'recipe-agent', {
      confidence: 0.87,
    });
    const context = await repos.conversations.getContextWindow(conversation.id, 10, { userId: user.id });
    for (const m of context) console.log(`  ${m.role}: ${m.content}`);

    const today = new Date().toISOString().slice(0, 10);
    const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
    const receipt = await repos.receipts.createWithItems(
      { userId: user.id, storeName: 'Lidl', totalAmount: '9.47', purchaseDate: today, conversationId: conversation.id },
      [
        { productName: 'Spinach 250 g', quantity: '0.25', unit: 'kg', unitPrice: '7.96', totalPrice: '1.99' },
        { productName: 'Feta 200 g', quantity: '0.2', unit: 'kg', unitPrice: '12.45', totalPrice: '2.49' },
        { productName: 'Eggs M x10', quantity: '10', unit: 'szt', unitPrice: '0.33', totalPrice: '3.29' },
        { productName: 'Apples', quantity: '1.254', unit: 'kg', unitPrice: '1.39', totalPrice: '1.74' },
        { productName: 'Discount', unitPrice: '-0.04', totalPrice: '-0.04' },
      ],
    );
    console.log(`receipt ${receipt.id}: ${receipt.items.length} lines, total ${receipt.totalAmount}`);
    await repos.receipts.create({ userId: user.id, storeName: 'Biedronka', totalAmount: '23.10', purchaseDate: today });

    const stats = await repos.receipts.getUserSpendingStats(user.id, `${today.slice(0, 8)}01`, today);
    console.log('spending this month:', stats);

    // The food-saving story. Products know their shelf life and their own unit conversions.
    const ledger = new PantryLedger(engine);
    const product = (name: string, storageInfo: Record<string, unknown>) => repos.products.create({ name, storageInfo });
    const spinach = await product(`Spinach ${suffix}`, { shelfLifeDays: 2 });
    const feta = await product(`Feta ${suffix}`, { shelfLifeDays: 12, openedShelfLifeDays: 4 });
    const eggs = await product(`Eggs ${suffix}`, { shelfLifeDays: 21, units: { pcs: { quantity: '60', unit: 'g' } } });
    const apples = await product(`Apples ${suffix}`, { shelfLifeDays: 14 });
    const flour = await product(`Flour ${suffix}`, {});

    // 1. The receipt's lines are matched to products (the user confirms), then stocked as priced lots.
    const proposals = await repos.receipts.matchReceiptItems(receipt.id, { userId: user.id });
    console.log('proposed matches:', proposals.map((p) => `${p.productName} -> ${p.source ?? 'none'}`).join(', '));
    const byLine = new Map([
      ['Spinach 250 g', spinach.id],
      ['Feta 200 g', feta.id],
      ['Eggs M x10', eggs.id],
      ['Apples', apples.id],
    ]);
    for (const item of receipt.items) {
      const productId = byLine.get(item.productName);
      if (productId) await repos.receipts.acceptMatch(user.id, item.id, productId);
    }
    const stocked = await ledger.stockFromReceipt(user.id, receipt.id);
    console.log(`stocked ${stocked.length} lots:`, stocked.map((l) => `${l.lot.quantity} ${l.lot.unit} until ${l.lot.expiryDate}`).join('; '));

    // 2. Two eggs are eaten; some apples go bad.
    const lots = await ledger.getUseFirst(user.id);
    const lotOf = (productId: string) => lots.find((l) => l.productId === productId)!;
    await ledger.consume(user.id, lotOf(eggs.id).id, '2', 'szt');
    const wasted = await ledger.discard(user.id, lotOf(apples.id).id, '300', 'g', 'spoiled');
    console.log(`wasted ${wasted.event.quantity} ${wasted.event.unit} of apples, worth ${wasted.event.value}`);

    // 3. What expires soon, what to cook with it, next week's shopping list, and the waste so far.
    const soon = await ledger.getExpiringSoon(user.id, 3);
    console.log('expiring within 3 days:', soon.map((l) => `${l.quantity} ${l.unit} (${l.expiryDate})`).join(', '));
    const omelette = await repos.recipes.createRecipe({ title: `Spinach omelette ${suffix}`, servings: 2 }, [
      { productId: eggs.id, quantity: '180', unit: 'g' },
      { productId: spinach.id, quantity: '100', unit: 'g' },
      { productId: feta.id, quantity: '50', unit: 'g' },
    ]);
    await repos.recipes.createRecipe({ title: `Apple pie ${suffix}`, servings: 8 }, [
      { productId: apples.id, quantity: '0.8', unit: 'kg' },
      { productId: flour.id, quantity: '300', unit: 'g' },
    ]);
    for (const r of await repos.recipes.getCookableRecipes(user.id, { maxMissing: 2 })) {
      console.log(`  cook: ${r.recipe.title} (missing ${r.missingCount}, uses food expiring ${r.soonestExpiry ?? 'later'}, saves ${r.savedValue})`);
    }
    const plan = await repos.mealPlans.create({ userId: user.id, planDate: inDays(7), mealType: 'dinner' });
    await repos.mealPlans.addItem(plan.id, { recipeId: omelette.id, servings: 4 });
    const list = await repos.mealPlans.getShoppingList(user.id, inDays(1), inDays(7));
    for (const group of list.byCategory) {
      console.log(`  buy: ${group.items.map((i) => `${i.quantity} ${i.unit} ${i.productName}`).join(', ')}`);
    }
    const waste = await ledger.getWasteStats(user.id, `${today.slice(0, 8)}01`, today);
    console.log('waste this month:', waste.totals);
    console.log('pool:', engine.poolStats());
  } finally {
    await engine.close();
    await server?.stop();
  }
  console.log('closed cleanly');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
