import { DataTypes, Model, QueryTypes, Sequelize, type ModelStatic } from 'sequelize';
import { SequelizeStorage, Umzug } from 'umzug';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, createEngine, createFoodsave, migrationStatus, runMigrations, type Engine } from '../src/index.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

/**
 * A host that already runs Sequelize: its own `User` model on its own `users` table, its own umzug
 * migrations (in `SequelizeMeta`), one pool of three. foodsave-db joins it without a second pool.
 */
let db: TestDatabase;
let host: Sequelize;
let HostUser: ModelStatic<Model>;
let engine: Engine;

beforeAll(async () => {
  db = await createTestDatabase('host_adoption', { hostTable: false });
  host = new Sequelize(db.url, { dialect: 'postgres', logging: false, pool: { max: 3, min: 0 } });
  HostUser = host.define('User', { login: { type: DataTypes.STRING, allowNull: false } }, { tableName: 'users' });
  const hostMigrations = new Umzug({
    migrations: [
      {
        name: 'host-0001-users',
        up: ({ context }) => context.createTable('users', {
          id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
          login: { type: DataTypes.STRING, allowNull: false },
          createdAt: { type: DataTypes.DATE, allowNull: false },
          updatedAt: { type: DataTypes.DATE, allowNull: false },
        }),
        down: ({ context }) => context.dropTable('users'),
      },
    ],
    context: host.getQueryInterface(),
    storage: new SequelizeStorage({ sequelize: host }),
    logger: undefined,
  });
  await hostMigrations.up();
  engine = createEngine({ env: {}, sequelize: host, schema: 'foodsave' });
  await runMigrations(engine);
});

afterAll(async () => {
  await engine?.close();
  await host?.close();
  await db?.drop();
});

describe('a host Sequelize app adopting foodsave-db', () => {
  it('migrates the library into schema foodsave, next to the host table users and the host migrations', async () => {
    const tables = await host.query<{ t: string }>(
      "SELECT table_schema || '.' || table_name AS t FROM information_schema.tables WHERE table_name IN ('users', 'SequelizeMeta', 'foodsave_db_migrations') ORDER BY 1",
      { type: QueryTypes.SELECT },
    );
    expect(tables.map((r) => r.t)).toEqual(['foodsave.foodsave_db_migrations', 'foodsave.users', 'public.SequelizeMeta', 'public.users']);
    expect((await migrationStatus(engine)).pending).toEqual([]);
  });

  it("keeps the host's own models: its User still reads its own table, the library's models are registered apart", async () => {
    await HostUser.create({ login: 'host-admin' });
    expect(host.models.User).toBe(HostUser);
    expect((await (host.models.User as ModelStatic<Model>).findAll()).map((u) => u.get('login'))).toEqual(['host-admin']);
    expect(host.models.FoodsaveUser).toBe(engine.models.User);
    expect(engine.models.User.getTableName()).toMatchObject({ tableName: 'users', schema: 'foodsave' });
  });

  it("runs the library's calls inside a host transaction: they commit and roll back with the host's writes", async () => {
    const foodsave = createFoodsave(engine);
    const kept = await host.transaction(async (transaction) => {
      await HostUser.create({ login: 'kept' }, { transaction });
      const user = await foodsave.admin.users.create({ username: 'kept', email: 'kept@example.com' }, { transaction });
      await foodsave.forUser(user.id).conversations.create({ sessionId: 'kept-session' }, { transaction });
      return user;
    });
    await expect(
      host.transaction(async (transaction) => {
        await HostUser.create({ login: 'dropped' }, { transaction });
        await foodsave.admin.users.create({ username: 'dropped', email: 'dropped@example.com' }, { transaction });
        throw new Error('host changes its mind');
      }),
    ).rejects.toThrow('host changes its mind');
    expect((await HostUser.findAll({ order: [['id', 'ASC']] })).map((u) => u.get('login'))).toEqual(['host-admin', 'kept']);
    expect((await foodsave.admin.users.getMulti()).map((u) => u.username)).toEqual(['kept']);
    expect(await foodsave.forUser(kept.id).conversations.getBySessionId('kept-session')).toMatchObject({ userId: kept.id });
  });

  it("uses the host's one pool: the library's load never opens more connections than the host's pool allows", async () => {
    const foodsave = createFoodsave(engine);
    await Promise.all([
      ...Array.from({ length: 12 }, () => foodsave.admin.users.getMulti()),
      ...Array.from({ length: 6 }, () => HostUser.count()),
    ]);
    const stats = engine.poolStats();
    expect(stats).toMatchObject({ max: 3 });
    expect(stats.size).toBeLessThanOrEqual(3);
    const [backends] = await host.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'",
      { type: QueryTypes.SELECT },
    );
    expect(backends!.n).toBeLessThanOrEqual(3);
    expect(engine.adopted).toBe(true);
  });

  it("adds the library's events and poolRecycle to the host's pool, keeping the host's own validation", async () => {
    const other = new Sequelize(db.url, { dialect: 'postgres', logging: false, pool: { max: 2, min: 0 } });
    const recycling = createEngine({ env: {}, sequelize: other, schema: 'foodsave', poolRecycle: 0.2 });
    try {
      const seen: string[] = [];
      recycling.events.on('query', (e) => seen.push(e.sql));
      const connects: number[] = [];
      recycling.events.on('connect', () => connects.push(Date.now()));
      await createFoodsave(recycling).admin.users.getMulti();
      expect(seen.some((sql) => sql.includes('"foodsave"."users"'))).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await createFoodsave(recycling).admin.users.getMulti();
      expect(recycling.poolStats().discarded).toBeGreaterThanOrEqual(1);
      expect(connects.length).toBeGreaterThanOrEqual(2);
    } finally {
      await recycling.close();
      await other.close();
    }
  });

  it('refuses what it cannot honour: pool options for a host pool, and a guessed URL for a TLS or socket instance', () => {
    expect(() => createEngine({ env: {}, sequelize: host, poolSize: 50, sessionSettings: { work_mem: '8MB' } })).toThrow(
      /poolSize does not apply to an adopted instance.*sessionSettings does not apply/s,
    );
    const tls = new Sequelize(db.url, { dialect: 'postgres', logging: false, dialectOptions: { ssl: { rejectUnauthorized: true } } });
    const socket = new Sequelize('foodsave', 'app', 'pw', { dialect: 'postgres', host: '/var/run/postgresql', logging: false });
    try {
      for (const instance of [tls, socket]) {
        expect(() => createEngine({ env: {}, sequelize: instance })).toThrow(ConfigError);
        expect(() => createEngine({ env: {}, sequelize: instance })).toThrow(/url is required with an adopted instance that uses TLS or a Unix socket/);
        expect(createEngine({ env: { DATABASE_URL: db.url }, sequelize: instance }).connections.primary.database).toBe(db.name);
      }
    } finally {
      void tls.close();
      void socket.close();
    }
  });

  it("leaves the host's instance open when the engine closes", async () => {
    await engine.close();
    expect(await HostUser.count()).toBe(2);
  });
});
