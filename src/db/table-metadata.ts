import type { ModelStatic, Model } from 'sequelize';
import type { Models } from '../models/index.js';
import { TABLE_NAMES, type TableKey } from '../models/model-naming.js';
import { ident, join, raw, sql, table, type Sql } from './sql.js';

/** How a column's value travels: decimals as text (never a float), timestamps revived as `Date`. */
export type ColumnKind = 'decimal' | 'timestamp' | 'json' | 'plain';

/** One column of a table, as the models define it. @internal */
export interface ColumnMeta {
  /** The camelCase attribute the API uses. */
  readonly attribute: string;
  /** The snake_case column in the database. */
  readonly column: string;
  readonly kind: ColumnKind;
}

/**
 * Everything the SQL needs to know about one table, derived from its model: the select list, the JSON
 * object builder and the revival of JSON rows. The models are the one source of the column lists.
 *
 * @internal
 */
export class TableMeta {
  readonly columns: readonly ColumnMeta[];
  /** The table, qualified by the engine's schema (see {@link table}). */
  readonly ref: Sql;
  /** The primary key's columns, in order. */
  readonly primaryKey: readonly string[];
  private readonly byAttribute: ReadonlyMap<string, ColumnMeta>;
  private readonly selects = new Map<string, Sql>();
  private readonly jsonSelects = new Map<string, Sql>();
  private readonly timestamps: readonly string[];

  constructor(readonly name: string, model: ModelStatic<Model>) {
    const attributes = model.getAttributes() as Record<string, { field?: string; primaryKey?: boolean; type: { key?: string } }>;
    this.ref = table(name);
    this.columns = Object.entries(attributes).map(([attribute, def]) => ({
      attribute,
      column: def.field ?? attribute,
      kind: kindOf(def.type.key),
    }));
    this.primaryKey = Object.entries(attributes)
      .filter(([, def]) => def.primaryKey)
      .map(([attribute, def]) => def.field ?? attribute);
    this.byAttribute = new Map(this.columns.map((c) => [c.attribute, c]));
    this.timestamps = this.columns.filter((c) => c.kind === 'timestamp').map((c) => c.attribute);
  }

  /** `"alias"."col" AS "attr", ...`; cached, since it is on every hot path. */
  select(alias?: string): Sql {
    const key = alias ?? '';
    let list = this.selects.get(key);
    if (!list) {
      list = join(this.columns.map((c) => sql`${alias ? ident(alias, c.column) : ident(c.column)} AS ${ident(c.attribute)}`));
      this.selects.set(key, list);
    }
    return list;
  }

  /** `json_build_object('attr', alias.col, ...)`, decimals as text so no value passes through a float. */
  json(alias: string): Sql {
    return sql`json_build_object(${join(
      this.columns.map((c) => {
        const value = c.kind === 'decimal' ? sql`${ident(alias, c.column)}::text` : ident(alias, c.column);
        return sql`${raw(`'${c.attribute}'`)}, ${value}`;
      }),
    )})`;
  }

  /**
   * The columns as a subquery's select list for `json_agg(k)`: `"alias"."col" AS "attr"`, decimals as
   * text so no value passes through a float. Aggregating whole rows of such a subquery costs the server
   * about a third less than building each object with {@link json} (a 30-line receipt: 544 → 358 µs).
   */
  jsonSelect(alias: string): Sql {
    let list = this.jsonSelects.get(alias);
    if (!list) {
      list = join(this.columns.map((c) => sql`${ident(alias, c.column)}${raw(c.kind === 'decimal' ? '::text' : '')} AS ${ident(c.attribute)}`));
      this.jsonSelects.set(alias, list);
    }
    return list;
  }

  /** The attribute a column is read as (`created_at` → `createdAt`). */
  attributeOf(column: string): string {
    const found = this.columns.find((c) => c.column === column);
    if (!found) throw new Error(`${this.name}: no column ${column}`);
    return found.attribute;
  }

  /** A row built by {@link json} or from {@link jsonSelect}, with its timestamps turned back into `Date`s. */
  revive<R>(row: Record<string, unknown>): R {
    for (const attribute of this.timestamps) {
      const value = row[attribute];
      if (typeof value === 'string') row[attribute] = new Date(value);
    }
    return row as R;
  }

  column(attribute: string): ColumnMeta {
    const column = this.byAttribute.get(attribute);
    // Input schemas are strict, so this only trips on a schema naming an attribute the model lacks.
    if (!column) throw new Error(`${this.name}: no column for attribute ${attribute}`);
    return column;
  }
}

function kindOf(key: string | undefined): ColumnKind {
  if (key === 'DECIMAL') return 'decimal';
  if (key === 'DATE') return 'timestamp';
  if (key === 'JSONB' || key === 'JSON') return 'json';
  return 'plain';
}

/**
 * Every table as a qualified reference for the `sql` tag: ``sql`SELECT ... FROM ${T.pantryItems}` ``.
 * @internal
 */
export const T = Object.fromEntries(Object.entries(TABLE_NAMES).map(([key, name]) => [key, table(name)])) as {
  readonly [K in TableKey]: Sql;
};

/** The tables, by the name the API uses for them. */
export const TABLES = {
  users: 'User',
  conversations: 'Conversation',
  messages: 'Message',
  receipts: 'Receipt',
  receiptItems: 'ReceiptItem',
  products: 'Product',
  productMatches: 'ProductMatch',
  categories: 'Category',
  pantryItems: 'PantryItem',
  pantryEvents: 'PantryEvent',
  recipes: 'Recipe',
  recipeIngredients: 'RecipeIngredient',
  recipeCategories: 'RecipeCategory',
  mealPlans: 'MealPlan',
  mealPlanItems: 'MealPlanItem',
} as const satisfies Record<string, keyof Models>;

export type TableName = keyof typeof TABLES;
export type Tables = { readonly [K in TableName]: TableMeta };

/**
 * Who owns a table's rows. `column`: the row names its user. `parent`: the row belongs to the user who
 * owns its parent row (`via` is the foreign key to it). Tables not listed are the shared catalogue.
 * This map is the one place ownership is written down: scoping, the export and the tests read it.
 */
export const OWNERSHIP = {
  users: { column: 'id' },
  conversations: { column: 'user_id' },
  messages: { parent: 'conversations', via: 'conversation_id' },
  receipts: { column: 'user_id' },
  receiptItems: { parent: 'receipts', via: 'receipt_id' },
  pantryItems: { column: 'user_id' },
  pantryEvents: { column: 'user_id' },
  productMatches: { column: 'user_id' },
  mealPlans: { column: 'user_id' },
  mealPlanItems: { parent: 'mealPlans', via: 'meal_plan_id' },
} as const satisfies Partial<Record<TableName, { column: string } | { parent: TableName; via: string }>>;

export type OwnedTable = keyof typeof OWNERSHIP;

/** The shared catalogue: rows every user reads and nobody owns. */
export const SHARED_TABLES = ['products', 'categories', 'recipes', 'recipeIngredients', 'recipeCategories'] as const satisfies readonly TableName[];

const cache = new WeakMap<Models, Tables>();

/** Every table's metadata for one engine's models; built once per engine. @internal */
export function tablesOf(models: Models): Tables {
  let tables = cache.get(models);
  if (!tables) {
    const entries = Object.entries(TABLES).map(([key, model]) => {
      const m = models[model] as unknown as ModelStatic<Model>;
      return [key, new TableMeta(TABLE_NAMES[key as TableKey], m)] as const;
    });
    tables = Object.fromEntries(entries) as unknown as Tables;
    cache.set(models, tables);
  }
  return tables;
}
