/**
 * Quick start: connect, migrate, and use the library.
 *
 *   npm run example                      # starts a throwaway embedded PostgreSQL
 *   DATABASE_URL=postgres://... npm run example   # uses your server (creates a few rows)
 */
import { QueryTypes } from 'sequelize';
import { createEngine, migrationStatus, runMigrations, type Logger } from '../src/index.js';
import { startEmbedded, type PostgresServer } from '../test/support/postgres-server.js';

const logger: Logger = console;

async function main(): Promise<void> {
  let server: PostgresServer | undefined;
  if (!process.env.DATABASE_URL) {
    server = await startEmbedded();
    console.log(`DATABASE_URL is unset: started ${server.description}`);
  }
  const engine = createEngine({ logger, ...(server ? { url: server.url } : {}) });
  try {
    const [{ version }] = (await engine.sequelize.query<{ version: string }>('SELECT version() AS version', {
      type: QueryTypes.SELECT,
    })) as [{ version: string }];
    console.log(`server: ${version}`);
    const { url, poolSize, maxOverflow, poolTimeout, poolRecycle, echo, echoPool } = engine.settings;
    console.log('settings:', { url, poolSize, maxOverflow, poolTimeout, poolRecycle, echo, echoPool });
    console.log('pool:', engine.poolStats());

    const applied = await runMigrations(engine);
    console.log(`migrations applied: ${applied.join(', ') || 'none (already up to date)'}`);
    const status = await migrationStatus(engine);
    console.log(`migrations: ${status.executed.length} applied, ${status.pending.length} pending`);
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
