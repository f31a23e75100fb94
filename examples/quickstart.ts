/**
 * Quick start: connect, migrate, and use the repositories.
 *
 *   npm run example                                 # starts a throwaway embedded PostgreSQL
 *   DATABASE_URL=postgres://... npm run example     # uses your server (and adds a few rows to it)
 */
import { randomUUID } from 'node:crypto';
import { QueryTypes } from 'sequelize';
import { createEngine, createRepositories, migrationStatus, runMigrations, withTransaction } from '../src/index.js';
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

    const receipt = await repos.receipts.createWithItems(
      { userId: user.id, storeName: 'Lidl', totalAmount: '9.47', purchaseDate: '2026-11-20', conversationId: conversation.id },
      [
        { productName: 'Spinach 250 g', unitPrice: '1.99', totalPrice: '1.99' },
        { productName: 'Feta 200 g', unitPrice: '2.49', totalPrice: '2.49' },
        { productName: 'Eggs M x10', unitPrice: '3.29', totalPrice: '3.29' },
        { productName: 'Apples', quantity: '1.254', unit: 'kg', unitPrice: '1.39', totalPrice: '1.74' },
        { productName: 'Discount', unitPrice: '-0.04', totalPrice: '-0.04' },
      ],
    );
    console.log(`receipt ${receipt.id}: ${receipt.items.length} lines, total ${receipt.totalAmount}`);
    await repos.receipts.create({ userId: user.id, storeName: 'Biedronka', totalAmount: '23.10', purchaseDate: '2026-11-24' });

    const stats = await repos.receipts.getUserSpendingStats(user.id, '2026-11-01', '2026-11-30');
    console.log('spending in November:', stats);
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
