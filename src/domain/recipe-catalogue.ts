import type { Engine } from '../engine/create-engine.js';
import type { QueryOptions } from '../engine/execute.js';
import { runStatement } from '../db/run-statement.js';
import type { Scope } from '../db/scope.js';
import { sql, table, type Sql } from '../db/sql.js';
import { T } from '../db/table-metadata.js';

/** What the catalogue index knows of one recipe: enough to bound its rank without reading it. */
export interface CatalogueRecipe {
  readonly id: string;
  readonly title: string;
  /** Its ingredient rows, with or without a product. */
  readonly ingredientCount: number;
  /** The product of each ingredient row that has one, as indexes into the catalogue's product list. */
  readonly products: Int32Array;
}

/** The version row migration 0013 keeps, read in the same snapshot as the index or the pantry. */
export const CATALOGUE_VERSION = sql`(SELECT version::text FROM ${table('foodsave_recipe_catalogue_version')})`;

/**
 * Which recipes use which products: the recipe catalogue held in memory, so that "what can I cook"
 * reads from the database only the recipes it ranks, however large the catalogue. Built in one
 * statement, with the catalogue version of that snapshot; rebuilt when a pantry read shows another.
 *
 * @internal
 */
export class RecipeCatalogue {
  readonly recipes: CatalogueRecipe[] = [];
  /** Each product's index, by id. */
  private readonly productIndex = new Map<string, number>();
  /** For each product index, the recipes (by index) that use it, each once. */
  private readonly users: number[][] = [];
  /** Recipes with at least one ingredient, fewest ingredients first, then by title and id. */
  readonly bySize: number[];

  constructor(
    readonly version: string,
    rows: readonly { id: string; title: string; n: number; products: string[] }[],
  ) {
    for (const row of rows) {
      const index = this.recipes.length;
      const products = Int32Array.from(row.products, (id) => this.indexOf(id));
      this.recipes.push({ id: row.id, title: row.title, ingredientCount: row.n, products });
      for (const p of new Set(products)) this.users[p]!.push(index);
    }
    const order = (a: number, b: number) => {
      const x = this.recipes[a]!;
      const y = this.recipes[b]!;
      return x.ingredientCount - y.ingredientCount || compareText(x.title, y.title) || compareText(x.id, y.id);
    };
    this.bySize = this.recipes.flatMap((r, i) => (r.ingredientCount > 0 ? [i] : [])).sort(order);
  }

  /** The product's index, or -1 when no recipe uses it. */
  productOf(id: string): number {
    return this.productIndex.get(id) ?? -1;
  }

  /** The recipes (by index) that use the product (by index). */
  recipesUsing(product: number): readonly number[] {
    return this.users[product] ?? [];
  }

  get productCount(): number {
    return this.users.length;
  }

  private indexOf(id: string): number {
    let index = this.productIndex.get(id);
    if (index === undefined) {
      index = this.users.length;
      this.productIndex.set(id, index);
      this.users.push([]);
    }
    return index;
  }
}

/** JavaScript's string order, which the ranking uses for titles and ids. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const LOAD = (): Sql => sql`
SELECT ${CATALOGUE_VERSION} AS version, r.id, r.title, count(ri.id)::int AS n,
       coalesce(array_agg(ri.product_id::text ORDER BY ri.id) FILTER (WHERE ri.product_id IS NOT NULL), '{}') AS products
  FROM ${T.recipes} r LEFT JOIN ${T.recipeIngredients} ri ON ri.recipe_id = r.id
 GROUP BY r.id`;

/** Each engine's index, and the build under way, shared by the callers that wait for it. */
const catalogues = new WeakMap<Engine, { version: string; ready: Promise<RecipeCatalogue> }>();

/**
 * The engine's catalogue index at `version` (as the caller's pantry read showed it), built or rebuilt
 * when it is older. Callers that find the same stale version share one build. A build that fails is
 * forgotten, so the next call tries again.
 *
 * @internal
 */
export function catalogueAt(engine: Engine, scope: Scope, version: string, options: QueryOptions): Promise<RecipeCatalogue> {
  const held = catalogues.get(engine);
  if (held && held.version === version) return held.ready;
  const ready = runStatement<{ version: string; id: string; title: string; n: number; products: string[] }>(engine, scope, 'recipe', LOAD(), options).then(
    ({ rows }) => new RecipeCatalogue(rows[0]?.version ?? version, rows),
  );
  const entry = { version, ready };
  catalogues.set(engine, entry);
  ready.catch(() => {
    if (catalogues.get(engine) === entry) catalogues.delete(engine);
  });
  return ready;
}
