/**
 * The "what can I cook" data: recipes of 4 to 8 ingredients over 1,000 products, and a cook with a
 * 200-lot pantry. `addRecipes` grows the catalogue in steps (10k, then 100k), with the same pattern, so
 * both rows of the bench ask the same question of a bigger catalogue.
 *
 * Run directly (`tsx bench/cookable.ts`) it loads 10k and then 100k recipes on a throwaway server and
 * prints getCookableRecipes' p50 at each size.
 */
import pg from 'pg';
import { lib } from './library.js';
import { startPostgres } from '../test/support/postgres-server.js';
import { latency, median } from './measure.js';

const { createEngine, createFoodsave, runMigrations } = lib;

/**
 * Products, and the cook's pantry: 200 lots of 500 g of the 200 most used products (staples and everyday
 * fresh food), one in ten of them keeping (no date), the others expiring over the next 20 days.
 */
export async function loadPantry(client: pg.Client): Promise<void> {
  for (const statement of [
    `INSERT INTO products (name) SELECT 'Product ' || g FROM generate_series(1, 1000) g WHERE NOT EXISTS (SELECT 1 FROM products)`,
    `INSERT INTO users (username, email) VALUES ('cook', 'cook@example.com')`,
    `INSERT INTO pantry_items (user_id, product_id, quantity, unit, expiry_date)
       SELECT (SELECT id FROM users WHERE username = 'cook'), pr.id, 500, 'g', CASE WHEN g % 10 = 0 THEN NULL ELSE current_date + (g % 20) END
         FROM generate_series(1, 200) g
         JOIN (SELECT id, row_number() OVER (ORDER BY id) AS n FROM products) pr ON pr.n = g`,
  ]) {
    await client.query(statement);
  }
}

/**
 * Recipes number `from + 1` to `to`, each of 4 to 8 ingredients of 100 g: the first three from the 200
 * most used products, the rest from all 1,000. Then fresh statistics.
 */
export async function addRecipes(client: pg.Client, from: number, to: number): Promise<void> {
  await client.query(`INSERT INTO recipes (title, servings) SELECT 'Recipe ' || g, 2 FROM generate_series($1::int, $2::int) g`, [from + 1, to]);
  await client.query('ANALYZE recipes');
  await client.query(
    `INSERT INTO recipe_ingredients (recipe_id, product_id, quantity, unit)
       SELECT rc.id, pr.id, 100, 'g'
         FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM recipes) rc
         CROSS JOIN generate_series(1, 8) k
         JOIN (SELECT id, row_number() OVER (ORDER BY id) AS n FROM products) pr
           ON pr.n = 1 + (rc.n * 7 + k * 131) % (CASE WHEN k <= 3 THEN 200 ELSE 1000 END)
        WHERE rc.n > $1 AND k <= 4 + rc.n % 5`,
    [from],
  );
  await client.query('VACUUM ANALYZE recipes');
  await client.query('VACUUM ANALYZE recipe_ingredients');
}

async function main(): Promise<void> {
  const server = await startPostgres({ settings: { shared_buffers: '256MB' } });
  const engine = createEngine({ url: server.url, env: {}, poolSize: 4 });
  const loader = new pg.Client({ connectionString: server.url });
  await loader.connect();
  try {
    await runMigrations(engine);
    await loadPantry(loader);
    const cookId = (await loader.query<{ id: string }>("SELECT id FROM users WHERE username = 'cook'")).rows[0]!.id;
    const cook = createFoodsave(engine).forUser(cookId);
    const call = () => cook.recipes.getCookableRecipes({ maxMissing: 2 });
    let size = 0;
    for (const target of [10_000, 100_000]) {
      await addRecipes(loader, size, target);
      size = target;
      await latency(call, 5);
      const samples = await latency(call, Number(process.env.BENCH_COOKABLE_SAMPLES ?? 30));
      const top = await call();
      console.log(`${size} recipes: p50 ${median(samples).toFixed(1)} ms; first ${top[0]?.recipe.title} (${top.length})`);
    }
  } finally {
    await loader.end();
    await engine.close();
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
