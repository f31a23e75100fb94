import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createFoodsave, NotFoundError, ValidationError } from '../src/index.js';
import { makeUser, unique } from './support/fixtures.js';
import { rawQuery, rawUrl, useTestDatabase } from './support/test-database.js';

const t = useTestDatabase({ label: 'catalog' });

describe('products and categories', () => {
  it('finds products by name (case-insensitive, wildcards literal) and by category', async () => {
    const repos = createFoodsave(t.engine).catalog;
    const dairy = await repos.categories.create({ name: 'Dairy' });
    const milk = await repos.products.create({ name: 'Milk 3.2%', categoryId: dairy.id, storageInfo: { shelfLifeDays: 7 } });
    const oat = await repos.products.create({ name: 'Oat milk' });
    expect((await repos.products.findByName('MILK')).map((p) => p.id)).toEqual([oat.id, milk.id]);
    expect((await repos.products.findByName('3.2%')).map((p) => p.id)).toEqual([milk.id]);
    expect((await repos.products.findByName('%')).map((p) => p.id)).toEqual([milk.id]);
    expect(await repos.products.findByName('_')).toEqual([]);
    expect(await repos.products.getByCategory(dairy.id)).toEqual([milk]);
    expect(milk.storageInfo).toEqual({ shelfLifeDays: 7 });
  });

  it('categories with their children, roots and children', async () => {
    const repos = createFoodsave(t.engine).catalog;
    const root = await repos.categories.create({ name: unique('Produce').slice(0, 100) });
    const veg = await repos.categories.create({ name: 'Vegetables', parentId: root.id });
    const fruit = await repos.categories.create({ name: 'Fruit', parentId: root.id });
    const tree = await repos.categories.getWithChildren(root.id);
    expect(tree!.children.map((c) => c.id)).toEqual([fruit.id, veg.id]);
    expect(tree!.children[0]!.createdAt).toBeInstanceOf(Date);
    expect((await repos.categories.getChildren(root.id)).map((c) => c.name)).toEqual(['Fruit', 'Vegetables']);
    expect((await repos.categories.getRoots()).map((c) => c.id)).toContain(root.id);
    expect(await repos.categories.getWithChildren('00000000-0000-4000-8000-000000000000')).toBeNull();
    await expect(repos.categories.create({ name: 'Orphan', parentId: '00000000-0000-4000-8000-000000000000' })).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('the category tree stays a tree', () => {
  it('update refuses a cycle as move does, and so does raw SQL; the tree is at most 32 levels deep', async () => {
    const { categories } = createFoodsave(t.engine).catalog;
    const top = await categories.create({ name: unique('Top') });
    const mid = await categories.create({ name: unique('Mid'), parentId: top.id });
    const leaf = await categories.create({ name: unique('Leaf'), parentId: mid.id });
    for (const parentId of [top.id, leaf.id]) {
      const error = await categories.update(top.id, { parentId }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues).toEqual([{ path: ['parentId'], message: 'cannot be the category itself or one of its descendants' }]);
    }
    await expect(rawQuery(t.url, 'UPDATE categories SET parent_id = $1 WHERE id = $2', [leaf.id, top.id])).rejects.toThrow(/cannot be under itself/);
    expect((await categories.getSubtree(top.id)).map((c) => c.id)).toEqual([top.id, mid.id, leaf.id]);

    // A chain of 32 is fine; a 33rd level is refused on insert, and so is a move that would deepen a subtree past it.
    let parent = (await categories.create({ name: unique('L1') })).id;
    const chain = [parent];
    for (let level = 2; level <= 32; level++) chain.push((parent = (await categories.create({ name: unique(`L${level}`), parentId: parent })).id));
    const deeper = await categories.create({ name: unique('L33'), parentId: parent }).catch((e: unknown) => e);
    expect((deeper as ValidationError).issues).toEqual([{ path: ['parentId'], message: 'would nest categories more than 32 levels deep' }]);
    await expect(categories.update(top.id, { parentId: chain[29]! })).rejects.toThrow(/more than 32 levels deep/);
    expect((await categories.update(top.id, { parentId: chain[28]! }))?.parentId).toBe(chain[28]);
    expect(await categories.getSubtree(chain[0]!)).toHaveLength(35);
  });
});

describe('the category tree under concurrent writers', () => {
  for (const isolation of ['READ COMMITTED', 'REPEATABLE READ', 'SERIALIZABLE']) {
    it(`two ${isolation} transactions cannot close a cycle between them: the second fails`, async () => {
      const { categories } = createFoodsave(t.engine).catalog;
      const a = await categories.create({ name: unique('A') });
      const b = await categories.create({ name: unique('B') });
      const [one, two] = [new pg.Client({ connectionString: rawUrl(t.url) }), new pg.Client({ connectionString: rawUrl(t.url) })];
      await Promise.all([one.connect(), two.connect()]);
      try {
        for (const c of [one, two]) {
          await c.query(`BEGIN ISOLATION LEVEL ${isolation}`);
          await c.query('SELECT count(*) FROM categories'); // the snapshot, before either change
        }
        await one.query('UPDATE categories SET parent_id = $1 WHERE id = $2', [b.id, a.id]);
        const second = two.query('UPDATE categories SET parent_id = $1 WHERE id = $2', [a.id, b.id]).then(
          () => null,
          (error: { code?: string; message: string }) => error,
        );
        await one.query('COMMIT');
        const error = await second;
        await two.query('ROLLBACK');
        // READ COMMITTED waits, then checks the tree as it now is; the others may not act on a stale snapshot.
        expect(error?.code).toBe(isolation === 'READ COMMITTED' ? '23514' : '40001');
      } finally {
        await Promise.all([one.end(), two.end()]);
      }
      const rows = await rawQuery<{ id: string; parent_id: string | null }>(t.url, 'SELECT id, parent_id FROM categories WHERE id = ANY($1::uuid[]) ORDER BY name', [[a.id, b.id]]);
      expect(rows).toEqual([
        { id: a.id, parent_id: b.id },
        { id: b.id, parent_id: null },
      ]);
    });
  }
});

describe('pantry items', () => {
  it('lists a user pantry by expiry, filters by date, and finds what expires within n days', async () => {
    const db = createFoodsave(t.engine);
    const user = await makeUser(db);
    const me = db.forUser(user.id);
    const p = await db.catalog.products.create({ name: 'Yoghurt' });
    const add = (expiryDate: string | null, quantity = '1') => me.pantry.create({ productId: p.id, quantity, unit: 'pcs', expiryDate });
    const past = await add('2026-11-20');
    const soon = await add('2026-11-28');
    const later = await add('2026-12-20');
    const undated = await add(null);
    expect(past.userId).toBe(user.id);
    expect((await me.pantry.listItems()).map((i) => i.id)).toEqual([past.id, soon.id, later.id, undated.id]);
    expect((await me.pantry.listItems({ expiringBy: '2026-11-30' })).map((i) => i.id)).toEqual([past.id, soon.id]);
    expect((await me.pantry.listItems({ expiringBy: '2026-11-30', includeUndated: true })).map((i) => i.id)).toEqual([past.id, soon.id, undated.id]);
    expect((await me.pantry.getExpiringWithin(3, { asOf: '2026-11-26' })).map((i) => i.id)).toEqual([past.id, soon.id]);
    // The back-office form names the user.
    expect((await db.admin.pantryItems.getUserItems(user.id)).map((i) => i.id)).toEqual([past.id, soon.id, later.id, undated.id]);
    expect((await db.admin.pantryItems.getUserItems(user.id, { expiringBy: '2026-11-30' })).map((i) => i.id)).toEqual([past.id, soon.id]);
    // Another user's pantry is not this one.
    const other = db.forUser((await makeUser(db)).id);
    expect(await other.pantry.listItems()).toEqual([]);
    expect(await other.pantry.getExpiringWithin(3, { asOf: '2026-11-26' })).toEqual([]);
    expect(soon.quantity).toBe('1.000');
    await expect(me.pantry.create({ productId: p.id, quantity: '-1' })).rejects.toThrow(/quantity: must not be negative/);
    await expect(me.pantry.getExpiringWithin(-1)).rejects.toBeInstanceOf(ValidationError);
    expect(await me.pantry.listItems()).toHaveLength(4);
  });
});

describe('recipes', () => {
  it('creates a recipe with ingredients and categories atomically, and finds it by tag and category', async () => {
    const repos = createFoodsave(t.engine).catalog;
    const spinach = await repos.products.create({ name: 'Spinach' });
    const soups = await repos.categories.create({ name: 'Soups' });
    const recipe = await repos.recipes.createWithIngredients(
      { title: 'Spinach soup', servings: 2, difficultyLevel: 1, cookingTime: 20, tags: ['quick', 'vegan'] },
      [{ productId: spinach.id, quantity: '250', unit: 'g' }],
      [soups.id],
    );
    expect(recipe.ingredients).toEqual([expect.objectContaining({ productId: spinach.id, quantity: '250.000', unit: 'g' })]);
    expect(recipe.categoryIds).toEqual([soups.id]);
    expect((await repos.recipes.findByTags(['vegan', 'quick'])).map((r) => r.id)).toContain(recipe.id);
    expect(await repos.recipes.findByTags(['vegan', 'meat'])).toEqual([]);
    expect((await repos.recipes.getByCategory(soups.id)).map((r) => r.id)).toEqual([recipe.id]);

    const before = (await repos.recipes.getMulti(0, 1000)).length;
    await expect(
      repos.recipes.createWithIngredients({ title: 'Broken' }, [{ productId: '00000000-0000-4000-8000-000000000000', quantity: '1' }]),
    ).rejects.toBeInstanceOf(NotFoundError);
    const bad = await repos.recipes.createWithIngredients({ title: 'Bad', difficultyLevel: 9 }, [{ productId: spinach.id, quantity: '-1' }]).catch((e: unknown) => e);
    expect((bad as ValidationError).fields.sort()).toEqual(['ingredients.0.quantity', 'recipe.difficultyLevel']);
    expect((await repos.recipes.getMulti(0, 1000)).length).toBe(before);
  });
});

describe('meal plans', () => {
  it('plans meals with items, by user and date range', async () => {
    const db = createFoodsave(t.engine);
    const user = await makeUser(db);
    const me = db.forUser(user.id);
    const recipe = await db.catalog.recipes.create({ title: 'Omelette' });
    const bread = await db.catalog.products.create({ name: 'Bread' });
    const dinner = await me.mealPlans.create({ planDate: '2026-11-27', mealType: 'dinner', recipeId: recipe.id });
    const breakfast = await me.mealPlans.create({ planDate: '2026-11-27', mealType: 'breakfast' });
    await me.mealPlans.create({ planDate: '2026-12-27' });
    const item = await me.mealPlans.addItem(breakfast.id, { productId: bread.id, quantity: '2', unit: 'slice' });
    await me.mealPlans.addItem(dinner.id, { recipeId: recipe.id, servings: 2 });
    const week = await me.mealPlans.getPlan({ from: '2026-11-23', to: '2026-11-29' });
    expect(week.map((p) => p.mealType)).toEqual(['breakfast', 'dinner']);
    expect(week.every((p) => p.userId === user.id)).toBe(true);
    expect(week[0]!.items).toEqual([item]);
    expect(week[1]!.items[0]).toMatchObject({ recipeId: recipe.id, servings: 2 });
    // The back-office form names the user and returns the same plans.
    expect(await db.admin.mealPlans.getUserPlans(user.id, { from: '2026-11-23', to: '2026-11-29' })).toEqual(week);
    expect(await db.forUser((await makeUser(db)).id).mealPlans.getPlan({ from: '2026-11-23', to: '2026-11-29' })).toEqual([]);
    await expect(me.mealPlans.addItem(breakfast.id, { recipeId: recipe.id, productId: bread.id })).rejects.toThrow(/exactly one of recipeId and productId/);
    await expect(me.mealPlans.create({ planDate: '2026-11-27', mealType: 'brunch' as never })).rejects.toThrow(/mealType: must be one of/);
    expect(await me.mealPlans.removeItem(item.id)).toBe(true);
    expect(await me.mealPlans.removeItem(item.id)).toBe(false);
  });
});
