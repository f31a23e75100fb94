import { QueryTypes, type Model, type ModelStatic } from 'sequelize';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createEngine, type DecimalString } from '../src/index.js';
import { Receipt } from '../src/entries/models.js';
import { useTestDatabase, testEnv, testSchema, tbl } from './support/test-database.js';

// The models' own behaviour, not scoping: as the server's user, whom row-level security never hides rows from.
const t = useTestDatabase({ label: 'models', role: 'server' });

/** The PostgreSQL type each Sequelize type maps to in our schema. */
function pgType(attr: { type: { key: string; options?: Record<string, unknown>; _length?: number; type?: { key: string } } }): string {
  const type = attr.type as unknown as { key: string; options?: { length?: number; precision?: number; scale?: number }; type?: { key: string } };
  switch (type.key) {
    case 'UUID':
      return 'uuid';
    case 'STRING':
      return `character varying(${type.options?.length ?? 255})`;
    case 'TEXT':
      return 'text';
    case 'JSONB':
      return 'jsonb';
    case 'DATE':
      return 'timestamp with time zone';
    case 'DATEONLY':
      return 'date';
    case 'DECIMAL':
      // Unconstrained NUMERIC (exact pantry amounts) has no precision.
      return type.options?.precision === undefined ? 'numeric' : `numeric(${type.options.precision},${type.options.scale})`;
    case 'DOUBLE PRECISION':
      return 'double precision';
    case 'INTEGER':
      return 'integer';
    case 'ARRAY':
      return `${type.type?.key === 'TEXT' ? 'text' : type.type?.key}[]`;
    default:
      return `unmapped ${type.key}`;
  }
}

describe('models match the migrated schema', () => {
  it('every model attribute has its column with the same type and nullability, and every column has an attribute', async () => {
    const models = t.engine.models;
    const columns = await t.engine.sequelize.query<{ table_name: string; column_name: string; type: string; is_nullable: 'YES' | 'NO' }>(
      `SELECT c.table_name, c.column_name, c.is_nullable,
              format_type(a.atttypid, a.atttypmod) AS type
         FROM information_schema.columns c
         JOIN pg_attribute a ON a.attrelid = (quote_ident(c.table_schema) || '.' || quote_ident(c.table_name))::regclass AND a.attname = c.column_name
        WHERE c.table_schema = '${testSchema}' AND c.table_name NOT IN ('foodsave_db_migrations', 'foodsave_category_tree_version', 'foodsave_recipe_catalogue_version')`,
      { type: QueryTypes.SELECT },
    );
    const fromSchema = new Map(columns.map((c) => [`${c.table_name}.${c.column_name}`, c]));
    const fromModels = new Set<string>();
    for (const model of Object.values(models) as ModelStatic<Model>[]) {
      for (const attr of Object.values(model.getAttributes()) as { field: string; allowNull?: boolean; primaryKey?: boolean; type: never }[]) {
        const key = `${model.tableName}.${attr.field}`;
        fromModels.add(key);
        const column = fromSchema.get(key);
        expect(column, `${key} has no column`).toBeDefined();
        expect(`${key} ${pgType(attr)}`).toBe(`${key} ${column!.type}`);
        const nullable = attr.primaryKey ? false : attr.allowNull !== false;
        expect(`${key} nullable=${nullable}`).toBe(`${key} nullable=${column!.is_nullable === 'YES'}`);
      }
    }
    expect([...fromSchema.keys()].filter((k) => !fromModels.has(k))).toEqual([]);
  });
});

describe('model behaviour', () => {
  it('returns decimals exactly, as strings, and types them so', async () => {
    const { User, Receipt: R, ReceiptItem } = t.engine.models;
    const user = await User.create({ username: 'dec', email: 'dec@x.io' });
    const receipt = await R.create({ userId: user.id, totalAmount: '0.30', purchaseDate: '2026-03-01' });
    await ReceiptItem.bulkCreate([
      { receiptId: receipt.id, productName: 'Apples', quantity: '1.254', unitPrice: '0.10' },
      { receiptId: receipt.id, productName: 'Pears', quantity: '0.001', unitPrice: '0.20' },
    ]);
    const loaded = await R.findByPk(receipt.id, { include: [{ association: 'items' }] });
    expect(loaded!.totalAmount).toBe('0.30');
    expect(loaded!.items!.map((i) => i.quantity).sort()).toEqual(['0.001', '1.254']);
    expectTypeOf(loaded!.totalAmount).toEqualTypeOf<DecimalString | null>();
    const [sum] = await t.engine.sequelize.query<{ s: string }>(`SELECT sum(unit_price) AS s FROM ${tbl('receipt_items')}`, { type: QueryTypes.SELECT });
    expect(sum!.s).toBe('0.30');
  });

  it("leaves a user's emailLower to the database, on create, bulkCreate and save", async () => {
    const { User } = t.engine.models;
    const one = await User.create({ username: 'key1', email: 'Key1@X.io' });
    // @ts-expect-error the database writes it, and refuses any other writer
    await expect(User.create({ username: 'key3', email: 'key3@x.io', emailLower: 'key3@x.io' })).rejects.toThrow(/cannot insert (a non-DEFAULT value )?into column "email_lower"/);
    await User.bulkCreate([{ username: 'key2', email: 'KEY2@x.io' }]);
    await one.reload();
    expect(one.emailLower).toBe('key1@x.io');
    one.email = 'Renamed@X.io';
    await one.save();
    await one.reload();
    expect(one.emailLower).toBe('renamed@x.io');
    expect((await User.findOne({ where: { username: 'key2' } }))!.emailLower).toBe('key2@x.io');
  });

  it('follows the diagram: user.conversations, conversation.messages, category.children/parent, recipe.ingredients', async () => {
    const { User, Conversation, Message, Category, Recipe, RecipeIngredient, Product } = t.engine.models;
    const user = await User.create({ username: 'assoc', email: 'assoc@x.io' });
    const conv = await Conversation.create({ userId: user.id, sessionId: 'assoc-1' });
    await Message.create({ conversationId: conv.id, content: 'hi', role: 'user' });
    const withConvs = await User.findByPk(user.id, { include: [{ association: 'conversations', include: [{ association: 'messages' }] }] });
    expect(withConvs!.conversations![0]!.messages![0]!.content).toBe('hi');

    const dairy = await Category.create({ name: 'Dairy' });
    await Category.create({ name: 'Cheese', parentId: dairy.id });
    const tree = await Category.findByPk(dairy.id, { include: [{ association: 'children', include: [{ association: 'parent' }] }] });
    expect(tree!.children![0]!.name).toBe('Cheese');
    expect(tree!.children![0]!.parent!.name).toBe('Dairy');

    const milk = await Product.create({ name: 'Milk', categoryId: dairy.id });
    const recipe = await Recipe.create({ title: 'Custard', tags: ['dessert'] });
    await RecipeIngredient.create({ recipeId: recipe.id, productId: milk.id, quantity: '0.5', unit: 'l' });
    const full = await Recipe.findByPk(recipe.id, { include: [{ association: 'ingredients', include: [{ association: 'product' }] }] });
    expect(full!.ingredients![0]!.product!.name).toBe('Milk');
    expect(full!.tags).toEqual(['dessert']);
  });

  it('binds each engine its own classes; the exported classes stay unbound', async () => {
    const other = createEngine({ env: testEnv, url: t.url, poolSize: 1 });
    try {
      expect(other.models.Receipt).not.toBe(t.engine.models.Receipt);
      expect(other.models.Receipt.prototype).toBeInstanceOf(Receipt);
      expect(other.models.Receipt.sequelize).toBe(other.sequelize);
      expect(t.engine.models.Receipt.sequelize).toBe(t.engine.sequelize);
      expect(await other.models.User.count()).toBe(await t.engine.models.User.count());
    } finally {
      await other.close();
    }
  });
});
