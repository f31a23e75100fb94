import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase, testSchema, rawUrl } from './support/test-database.js';

const t = useTestDatabase({ label: 'schema' });
let client: pg.Client;

beforeAll(async () => {
  client = new pg.Client({ connectionString: rawUrl(t.url) });
  await client.connect();
});
afterAll(async () => {
  await client.end();
});

async function rows<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
  return (await client.query<R>(sql, params)).rows;
}

const TS = 'timestamp with time zone';
const NOW = 'CURRENT_TIMESTAMP';
const UUID_PK = ['uuid', false, 'gen_random_uuid()'] as const;
const JSON_OBJ = ['jsonb', true, "'{}'::jsonb"] as const;
type Col = readonly [type: string, nullable: boolean, def: string | null];

/** The design document's Core Tables, with decisions 3 and 8 applied. */
const EXPECTED: Record<string, Record<string, Col>> = {
  users: {
    id: UUID_PK,
    username: ['character varying(50)', false, null],
    email: ['character varying(255)', false, null],
    created_at: [TS, true, NOW],
    updated_at: [TS, true, NOW],
    preferences: JSON_OBJ,
    // Generated from email (0017): its expression is where a default would be.
    email_lower: ['text', true, 'lower((email)::text)'],
  },
  conversations: {
    id: UUID_PK,
    user_id: ['uuid', true, null],
    session_id: ['character varying(100)', false, null],
    title: ['character varying(255)', true, null],
    created_at: [TS, true, NOW],
    updated_at: [TS, true, NOW],
    metadata: JSON_OBJ,
  },
  messages: {
    id: UUID_PK,
    conversation_id: ['uuid', true, null],
    content: ['text', false, null],
    role: ['character varying(20)', false, null],
    agent_used: ['character varying(50)', true, null],
    confidence: ['double precision', true, null],
    created_at: [TS, true, NOW],
    metadata: JSON_OBJ,
  },
  receipts: {
    id: UUID_PK,
    user_id: ['uuid', true, null],
    store_name: ['character varying(255)', true, null],
    total_amount: ['numeric(10,2)', true, null],
    purchase_date: ['date', true, null],
    receipt_date: [TS, true, NOW],
    image_path: ['character varying(500)', true, null],
    ocr_confidence: ['double precision', true, null],
    metadata: JSON_OBJ,
    conversation_id: ['uuid', true, null],
  },
  receipt_items: {
    id: UUID_PK,
    receipt_id: ['uuid', true, null],
    product_name: ['character varying(255)', false, null],
    quantity: ['numeric(10,3)', true, '1'],
    unit_price: ['numeric(10,2)', true, null],
    total_price: ['numeric(10,2)', true, null],
    category_id: ['uuid', true, null],
    created_at: [TS, true, NOW],
    product_id: ['uuid', true, null],
    unit: ['character varying(50)', true, null],
  },
  products: {
    id: UUID_PK,
    name: ['character varying(255)', false, null],
    category_id: ['uuid', true, null],
    nutritional_info: JSON_OBJ,
    storage_info: JSON_OBJ,
    created_at: [TS, true, NOW],
    updated_at: [TS, true, NOW],
  },
  pantry_items: {
    id: UUID_PK,
    user_id: ['uuid', true, null],
    product_id: ['uuid', true, null],
    quantity: ['numeric', true, null], // 0007-exact-amounts
    unit: ['character varying(50)', true, null],
    expiry_date: ['date', true, null],
    added_date: [TS, true, NOW],
    notes: ['text', true, null],
    // 0002-pantry-ledger
    purchase_date: ['date', true, null],
    opened_at: [TS, true, null],
    unit_price: ['numeric(12,4)', true, null],
    store_name: ['character varying(255)', true, null],
    receipt_item_id: ['uuid', true, null],
    // 0006-date-kinds
    date_kind: ['character varying(12)', false, null],
  },
  pantry_events: {
    id: UUID_PK,
    user_id: ['uuid', false, null],
    pantry_item_id: ['uuid', true, null],
    product_id: ['uuid', true, null],
    event_type: ['character varying(20)', false, null],
    quantity: ['numeric', false, null], // 0007-exact-amounts
    unit: ['character varying(50)', true, null],
    value: ['numeric(10,2)', true, null],
    waste_reason: ['character varying(20)', true, null],
    receipt_item_id: ['uuid', true, null],
    recipe_id: ['uuid', true, null],
    previous_quantity: ['numeric', true, null], // 0007-exact-amounts
    previous_expiry_date: ['date', true, null],
    previous_opened_at: [TS, true, null],
    undone_at: [TS, true, null],
    created_at: [TS, false, 'clock_timestamp()'],
    // 0006-date-kinds
    date_status: ['character varying(10)', true, null],
  },
  recipes: {
    id: UUID_PK,
    title: ['character varying(255)', false, null],
    description: ['text', true, null],
    instructions: ['text', true, null],
    cooking_time: ['integer', true, null],
    difficulty_level: ['integer', true, null],
    servings: ['integer', true, null],
    tags: ['text[]', true, null],
    created_at: [TS, true, NOW],
    updated_at: [TS, true, NOW],
    // 0003-search-and-matching
    ingredient_count: ['integer', false, '0'],
  },
  recipe_ingredients: {
    id: UUID_PK,
    recipe_id: ['uuid', true, null],
    product_id: ['uuid', true, null],
    quantity: ['numeric(10,3)', true, null],
    unit: ['character varying(50)', true, null],
    notes: ['text', true, null],
  },
  categories: {
    id: UUID_PK,
    name: ['character varying(100)', false, null],
    parent_id: ['uuid', true, null],
    description: ['text', true, null],
    created_at: [TS, true, NOW],
  },
  meal_plans: {
    id: UUID_PK,
    user_id: ['uuid', true, null],
    plan_date: ['date', false, null],
    meal_type: ['character varying(20)', true, null],
    recipe_id: ['uuid', true, null],
    notes: ['text', true, null],
    created_at: [TS, true, NOW],
  },
  meal_plan_items: {
    id: UUID_PK,
    meal_plan_id: ['uuid', false, null],
    recipe_id: ['uuid', true, null],
    product_id: ['uuid', true, null],
    servings: ['integer', true, null],
    quantity: ['numeric(10,3)', true, null],
    unit: ['character varying(50)', true, null],
    notes: ['text', true, null],
    created_at: [TS, true, NOW],
  },
  recipe_categories: {
    recipe_id: ['uuid', false, null],
    category_id: ['uuid', false, null],
  },
  product_matches: {
    user_id: ['uuid', false, null],
    store_key: ['character varying(255)', false, null],
    line_key: ['character varying(255)', false, null],
    product_id: ['uuid', false, null],
    times: ['integer', false, '1'],
    last_used_at: [TS, false, 'now()'],
  },
};

/** [table, column, referenced table, ON DELETE] — decision 9. */
const FOREIGN_KEYS: [string, string, string, string][] = [
  ['conversations', 'user_id', 'users', 'CASCADE'],
  ['messages', 'conversation_id', 'conversations', 'CASCADE'],
  ['receipts', 'user_id', 'users', 'CASCADE'],
  ['receipts', 'conversation_id', 'conversations', 'SET NULL'],
  ['receipt_items', 'receipt_id', 'receipts', 'CASCADE'],
  ['receipt_items', 'category_id', 'categories', 'SET NULL'],
  ['receipt_items', 'product_id', 'products', 'SET NULL'],
  ['products', 'category_id', 'categories', 'SET NULL'],
  ['pantry_items', 'user_id', 'users', 'CASCADE'],
  ['pantry_items', 'product_id', 'products', 'RESTRICT'],
  ['recipe_ingredients', 'recipe_id', 'recipes', 'CASCADE'],
  ['recipe_ingredients', 'product_id', 'products', 'RESTRICT'],
  ['categories', 'parent_id', 'categories', 'SET NULL'],
  ['meal_plans', 'user_id', 'users', 'CASCADE'],
  ['meal_plans', 'recipe_id', 'recipes', 'SET NULL'],
  ['meal_plan_items', 'meal_plan_id', 'meal_plans', 'CASCADE'],
  ['meal_plan_items', 'recipe_id', 'recipes', 'CASCADE'],
  ['meal_plan_items', 'product_id', 'products', 'RESTRICT'],
  ['recipe_categories', 'recipe_id', 'recipes', 'CASCADE'],
  ['recipe_categories', 'category_id', 'categories', 'CASCADE'],
  ['pantry_items', 'receipt_item_id', 'receipt_items', 'SET NULL'],
  ['pantry_events', 'user_id', 'users', 'CASCADE'],
  ['pantry_events', 'pantry_item_id', 'pantry_items', 'SET NULL'],
  ['pantry_events', 'product_id', 'products', 'RESTRICT'],
  ['pantry_events', 'receipt_item_id', 'receipt_items', 'SET NULL'],
  ['pantry_events', 'recipe_id', 'recipes', 'SET NULL'],
  ['product_matches', 'user_id', 'users', 'CASCADE'],
  ['product_matches', 'product_id', 'products', 'CASCADE'],
];

const DOCUMENT_INDEXES: [string, string, string][] = [
  ['idx_conversations_user_id', 'conversations', '(user_id)'],
  ['idx_conversations_session_id', 'conversations', '(session_id)'],
  ['idx_messages_conversation_id', 'messages', '(conversation_id)'],
  ['idx_messages_created_at', 'messages', '(created_at)'],
  ['idx_receipts_user_id', 'receipts', '(user_id)'],
  ['idx_receipts_purchase_date', 'receipts', '(purchase_date)'],
  ['idx_receipt_items_receipt_id', 'receipt_items', '(receipt_id)'],
  ['idx_products_category_id', 'products', '(category_id)'],
  ['idx_pantry_items_user_id', 'pantry_items', '(user_id)'],
  ['idx_pantry_items_expiry_date', 'pantry_items', '(expiry_date)'],
];

describe('tables and columns', () => {
  it('has exactly the tables of the document, decision 8, the pantry ledger, the migrations table and the category tree version', async () => {
    const tables = await rows<{ relname: string }>(
      `SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = '${testSchema}'::regnamespace ORDER BY relname`,
    );
    expect(tables.map((r) => r.relname)).toEqual([...Object.keys(EXPECTED), 'foodsave_category_tree_version', 'foodsave_db_migrations', 'foodsave_recipe_catalogue_version'].sort());
  });

  it.each(Object.entries(EXPECTED))('%s has every column with its type, NOT NULL and default', async (table, columns) => {
    const actual = await rows<{ attname: string; type: string; notnull: boolean; def: string | null }>(
      `SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull,
              pg_get_expr(d.adbin, d.adrelid) AS def
         FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum`,
      [table],
    );
    const got = Object.fromEntries(actual.map((c) => [c.attname, [c.type, !c.notnull, c.def]]));
    expect(got).toEqual(Object.fromEntries(Object.entries(columns).map(([k, v]) => [k, [...v]])));
  });

  it('makes username unique as typed and email unique without regard to case', async () => {
    const defs = await rows<{ indexdef: string }>("SELECT indexdef FROM pg_indexes WHERE tablename = 'users' AND schemaname = current_schema()");
    const text = defs.map((d) => d.indexdef).join('\n');
    expect(text).toContain(`UNIQUE INDEX users_username_key ON ${testSchema}.users USING btree (username)`);
    // On lower(email) as a stored generated column (0017), which a condition under the policies can use.
    expect(text).toContain(`UNIQUE INDEX users_email_lower_key ON ${testSchema}.users USING btree (email_lower)`);
    expect(await rows("SELECT attgenerated FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'email_lower'")).toEqual([{ attgenerated: 's' }]);
  });
});

describe('foreign keys', () => {
  it.each(FOREIGN_KEYS)('%s.%s references %s ON DELETE %s', async (table, column, target, onDelete) => {
    const found = await rows<{ def: string }>(
      `SELECT pg_get_constraintdef(c.oid) AS def FROM pg_constraint c
        WHERE c.contype = 'f' AND c.conrelid = $1::regclass
          AND c.conkey = ARRAY[(SELECT attnum FROM pg_attribute WHERE attrelid = $1::regclass AND attname = $2)]`,
      [table, column],
    );
    expect(found).toHaveLength(1);
    const def = found[0]!.def;
    expect(def).toContain(`REFERENCES ${target}(id)`);
    if (onDelete === 'RESTRICT') expect(def).toContain('ON DELETE RESTRICT');
    else expect(def).toContain(`ON DELETE ${onDelete}`);
  });

  it('has no foreign key the table above does not list', async () => {
    const all = await rows<{ n: string }>(
      `SELECT count(*) AS n FROM pg_constraint WHERE contype = 'f' AND connamespace = '${testSchema}'::regnamespace`,
    );
    expect(Number(all[0]!.n)).toBe(FOREIGN_KEYS.length);
  });
});

describe('indexes', () => {
  it.each(DOCUMENT_INDEXES)('%s exists on %s %s', async (name, table, columns) => {
    const found = await rows<{ tablename: string; indexdef: string }>(
      'SELECT tablename, indexdef FROM pg_indexes WHERE indexname = $1',
      [name],
    );
    expect(found).toHaveLength(1);
    expect(found[0]!.tablename).toBe(table);
    expect(found[0]!.indexdef).toMatch(new RegExp(`USING btree \\${columns.slice(0, -1)}\\)$`));
  });

  it('makes session_id unique (decision 6)', async () => {
    const found = await rows<{ indexdef: string }>("SELECT indexdef FROM pg_indexes WHERE indexname = 'idx_conversations_session_id'");
    expect(found[0]!.indexdef).toMatch(/^CREATE UNIQUE INDEX/);
  });
});

describe('CHECK constraints', () => {
  let userId: string;
  let recipeId: string;
  let productId: string;
  let conversationId: string;
  let mealPlanId: string;

  beforeAll(async () => {
    userId = (await rows<{ id: string }>("INSERT INTO users (username, email) VALUES ('checker', 'c@x.io') RETURNING id"))[0]!.id;
    recipeId = (await rows<{ id: string }>("INSERT INTO recipes (title) VALUES ('Soup') RETURNING id"))[0]!.id;
    productId = (await rows<{ id: string }>("INSERT INTO products (name) VALUES ('Leek') RETURNING id"))[0]!.id;
    conversationId = (
      await rows<{ id: string }>("INSERT INTO conversations (user_id, session_id) VALUES ($1, 'chk') RETURNING id", [userId])
    )[0]!.id;
    mealPlanId = (
      await rows<{ id: string }>("INSERT INTO meal_plans (user_id, plan_date) VALUES ($1, '2026-01-01') RETURNING id", [userId])
    )[0]!.id;
  });

  const cases: [string, string, () => unknown[]][] = [
    ['messages_role_check', "INSERT INTO messages (conversation_id, content, role) VALUES ($1, 'x', 'robot')", () => [conversationId]],
    ['messages_confidence_check', "INSERT INTO messages (conversation_id, content, role, confidence) VALUES ($1, 'x', 'user', 1.5)", () => [conversationId]],
    ['meal_plans_meal_type_check', "INSERT INTO meal_plans (user_id, plan_date, meal_type) VALUES ($1, '2026-01-01', 'brunch')", () => [userId]],
    ['recipes_difficulty_level_check', "INSERT INTO recipes (title, difficulty_level) VALUES ('x', 6)", () => []],
    ['recipes_difficulty_level_check', "INSERT INTO recipes (title, difficulty_level) VALUES ('x', 0)", () => []],
    ['recipes_cooking_time_check', "INSERT INTO recipes (title, cooking_time) VALUES ('x', 0)", () => []],
    ['recipes_servings_check', "INSERT INTO recipes (title, servings) VALUES ('x', -2)", () => []],
    ['receipts_ocr_confidence_check', 'INSERT INTO receipts (user_id, ocr_confidence) VALUES ($1, -0.1)', () => [userId]],
    ['receipts_total_amount_check', 'INSERT INTO receipts (user_id, total_amount) VALUES ($1, -1)', () => [userId]],
    ['pantry_items_quantity_check', 'INSERT INTO pantry_items (user_id, product_id, quantity) VALUES ($1, $2, -1)', () => [userId, productId]],
    ['recipe_ingredients_quantity_check', 'INSERT INTO recipe_ingredients (recipe_id, product_id, quantity) VALUES ($1, $2, -0.5)', () => [recipeId, productId]],
    ['meal_plan_items_servings_check', 'INSERT INTO meal_plan_items (meal_plan_id, recipe_id, servings) VALUES ($1, $2, 0)', () => [mealPlanId, recipeId]],
    ['meal_plan_items_quantity_check', "INSERT INTO meal_plan_items (meal_plan_id, product_id, quantity, unit) VALUES ($1, $2, -1, 'g')", () => [mealPlanId, productId]],
    ['meal_plan_items_one_target_check', 'INSERT INTO meal_plan_items (meal_plan_id, recipe_id, product_id) VALUES ($1, $2, $3)', () => [mealPlanId, recipeId, productId]],
    ['meal_plan_items_one_target_check', 'INSERT INTO meal_plan_items (meal_plan_id) VALUES ($1)', () => [mealPlanId]],
  ];

  it.each(cases)('%s rejects a bad row: %s', async (constraint, sql, params) => {
    await expect(client.query(sql, params())).rejects.toThrow(new RegExp(`violates check constraint "${constraint}"`));
  });

  it('accepts the good rows at the edges, and negative item prices (discount lines)', async () => {
    await client.query("INSERT INTO recipes (title, difficulty_level, cooking_time, servings) VALUES ('ok', 5, 1, 1)");
    await client.query("INSERT INTO messages (conversation_id, content, role, confidence) VALUES ($1, 'x', 'tool', 1)", [conversationId]);
    const receipt = (await rows<{ id: string }>('INSERT INTO receipts (user_id, total_amount) VALUES ($1, 0) RETURNING id', [userId]))[0]!.id;
    await client.query("INSERT INTO receipt_items (receipt_id, product_name, unit_price, total_price) VALUES ($1, 'Coupon', -2.00, -2.00)", [receipt]);
  });
});

describe('ON DELETE and triggers', () => {
  it('deleting a user removes every row they own', async () => {
    const u = (await rows<{ id: string }>("INSERT INTO users (username, email) VALUES ('gone', 'gone@x.io') RETURNING id"))[0]!.id;
    const p = (await rows<{ id: string }>("INSERT INTO products (name) VALUES ('Milk') RETURNING id"))[0]!.id;
    const r = (await rows<{ id: string }>("INSERT INTO recipes (title) VALUES ('Pancakes') RETURNING id"))[0]!.id;
    const c = (await rows<{ id: string }>("INSERT INTO conversations (user_id, session_id) VALUES ($1, 'gone-s') RETURNING id", [u]))[0]!.id;
    await client.query("INSERT INTO messages (conversation_id, content, role) VALUES ($1, 'hi', 'user')", [c]);
    const rc = (await rows<{ id: string }>('INSERT INTO receipts (user_id, conversation_id) VALUES ($1, $2) RETURNING id', [u, c]))[0]!.id;
    await client.query("INSERT INTO receipt_items (receipt_id, product_name, product_id) VALUES ($1, 'MILK 1L', $2)", [rc, p]);
    await client.query('INSERT INTO pantry_items (user_id, product_id, quantity) VALUES ($1, $2, 1)', [u, p]);
    const mp = (await rows<{ id: string }>("INSERT INTO meal_plans (user_id, plan_date, recipe_id) VALUES ($1, '2026-02-02', $2) RETURNING id", [u, r]))[0]!.id;
    await client.query('INSERT INTO meal_plan_items (meal_plan_id, recipe_id, servings) VALUES ($1, $2, 2)', [mp, r]);

    await client.query('DELETE FROM users WHERE id = $1', [u]);
    const left = await rows<Record<string, string>>(
      `SELECT (SELECT count(*) FROM conversations WHERE user_id = $1) AS conversations,
              (SELECT count(*) FROM messages WHERE conversation_id = $2) AS messages,
              (SELECT count(*) FROM receipts WHERE user_id = $1) AS receipts,
              (SELECT count(*) FROM receipt_items WHERE receipt_id = $3) AS receipt_items,
              (SELECT count(*) FROM pantry_items WHERE user_id = $1) AS pantry_items,
              (SELECT count(*) FROM meal_plans WHERE user_id = $1) AS meal_plans,
              (SELECT count(*) FROM meal_plan_items WHERE meal_plan_id = $4) AS meal_plan_items`,
      [u, c, rc, mp],
    );
    expect(Object.values(left[0]!).map(Number)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    // Shared rows stay: products and recipes belong to no user.
    expect((await rows('SELECT 1 FROM products WHERE id = $1', [p])).length).toBe(1);
  });

  it('refuses to delete a product still in a pantry, and nulls it on receipt lines', async () => {
    const u = (await rows<{ id: string }>("INSERT INTO users (username, email) VALUES ('keeper', 'k@x.io') RETURNING id"))[0]!.id;
    const p = (await rows<{ id: string }>("INSERT INTO products (name) VALUES ('Rice') RETURNING id"))[0]!.id;
    await client.query('INSERT INTO pantry_items (user_id, product_id, quantity) VALUES ($1, $2, 1)', [u, p]);
    await expect(client.query('DELETE FROM products WHERE id = $1', [p])).rejects.toThrow(/violates (RESTRICT setting of )?foreign key constraint/); // PostgreSQL 18 names RESTRICT
    const q = (await rows<{ id: string }>("INSERT INTO products (name) VALUES ('Beans') RETURNING id"))[0]!.id;
    const rc = (await rows<{ id: string }>('INSERT INTO receipts (user_id) VALUES ($1) RETURNING id', [u]))[0]!.id;
    const item = (await rows<{ id: string }>("INSERT INTO receipt_items (receipt_id, product_name, product_id) VALUES ($1, 'BEANS', $2) RETURNING id", [rc, q]))[0]!.id;
    await client.query('DELETE FROM products WHERE id = $1', [q]);
    expect((await rows<{ product_id: string | null }>('SELECT product_id FROM receipt_items WHERE id = $1', [item]))[0]!.product_id).toBeNull();
  });

  it('deleting a category orphans its children and products instead of deleting them', async () => {
    const parent = (await rows<{ id: string }>("INSERT INTO categories (name) VALUES ('Dairy') RETURNING id"))[0]!.id;
    const child = (await rows<{ id: string }>("INSERT INTO categories (name, parent_id) VALUES ('Cheese', $1) RETURNING id", [parent]))[0]!.id;
    const prod = (await rows<{ id: string }>("INSERT INTO products (name, category_id) VALUES ('Feta', $1) RETURNING id", [parent]))[0]!.id;
    await client.query('DELETE FROM categories WHERE id = $1', [parent]);
    expect((await rows<{ parent_id: string | null }>('SELECT parent_id FROM categories WHERE id = $1', [child]))[0]!.parent_id).toBeNull();
    expect((await rows<{ category_id: string | null }>('SELECT category_id FROM products WHERE id = $1', [prod]))[0]!.category_id).toBeNull();
  });

  it.each(['users', 'conversations', 'products', 'recipes'])('moves %s.updated_at on any UPDATE, even raw SQL', async (table) => {
    const insert: Record<string, string> = {
      users: "INSERT INTO users (username, email, updated_at) VALUES ('upd', 'upd@x.io', '2000-01-01') RETURNING id",
      conversations: "INSERT INTO conversations (session_id, updated_at) VALUES ('upd-s', '2000-01-01') RETURNING id",
      products: "INSERT INTO products (name, updated_at) VALUES ('Upd', '2000-01-01') RETURNING id",
      recipes: "INSERT INTO recipes (title, updated_at) VALUES ('Upd', '2000-01-01') RETURNING id",
    };
    const id = (await rows<{ id: string }>(insert[table]!))[0]!.id;
    const set = table === 'users' ? "username = 'upd2'" : table === 'conversations' ? "title = 't'" : table === 'products' ? "name = 'U2'" : "title = 'U2'";
    const after = await rows<{ moved: boolean }>(
      `UPDATE ${table} SET ${set} WHERE id = $1 RETURNING updated_at > '2000-01-02' AS moved`,
      [id],
    );
    expect(after[0]!.moved).toBe(true);
  });

  it('moves the conversation updated_at when a message is added (decision 5)', async () => {
    const c = (await rows<{ id: string }>("INSERT INTO conversations (session_id, updated_at) VALUES ('touch', '2000-01-01') RETURNING id"))[0]!.id;
    await client.query("INSERT INTO messages (conversation_id, content, role) VALUES ($1, 'hello', 'user')", [c]);
    const r = await rows<{ moved: boolean }>("SELECT updated_at > '2000-01-02' AS moved FROM conversations WHERE id = $1", [c]);
    expect(r[0]!.moved).toBe(true);
  });
});
