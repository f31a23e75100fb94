import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Engine } from '../engine/create-engine.js';
import type { QueryOptions } from '../engine/execute.js';
import type { Receipt } from '../models/receipt.js';
import { checkOptions, TX } from '../db/options.js';
import type { ReceiptItemRecord, ReceiptRecord, ReceiptWithItems } from '../db/records.js';
import { dateOnly } from '../db/schemas/common.js';
import {
  createReceiptSchema,
  receiptItemsSchema,
  updateReceiptSchema,
  type CreateReceiptInput,
  type ReceiptItemInput,
} from '../db/schemas/receipt-schemas.js';
import { ALL_USERS, checkId, narrowScope, type Scope } from '../db/scope.js';
import { empty, ident, sql } from '../db/sql.js';
import { T } from '../db/table-metadata.js';
import { parseInput } from '../db/validate.js';
import { BaseRepository } from './base-repository.js';

/** Purchase dates to list receipts between, both inclusive and optional. */
export const purchaseRangeSchema = z.strictObject({ from: dateOnly().optional(), to: dateOnly().optional() });
export type PurchaseRange = z.input<typeof purchaseRangeSchema>;

const adminWithItems = z.strictObject({ receipt: createReceiptSchema, items: receiptItemsSchema });
const scopedWithItems = z.strictObject({ receipt: createReceiptSchema.omit({ userId: true }), items: receiptItemsSchema });

/** Receipts and their items: the document's `ReceiptRepository`. */
export class ReceiptRepository extends BaseRepository<Receipt, typeof createReceiptSchema, typeof updateReceiptSchema> {
  private readonly withItemsSchema: typeof adminWithItems | typeof scopedWithItems;

  /** @internal Use `createFoodsave(engine).forUser(id).receipts`, or `.admin.receipts`. */
  constructor(engine: Engine, scope: Scope = ALL_USERS) {
    super({ engine, scope, table: 'receipts', schemas: { create: createReceiptSchema, update: updateReceiptSchema }, entity: 'receipt', ownerColumn: 'user_id' });
    this.withItemsSchema = scope.userId === null ? adminWithItems : scopedWithItems;
  }

  /**
   * Creates a receipt and all its items atomically, in one round trip: the receipt's insert and one
   * statement whose `unnest` over one array per column inserts the items, sent as one batch that commits
   * or fails as a whole. Items keep their order.
   *
   * Every item is validated before anything is sent. An invalid item 17 throws a `ValidationError`
   * whose path starts `items.16`, and no receipt is written. A `conversationId` must be the same user's
   * (the database checks it), else `NotFoundError`.
   */
  async createWithItems(receipt: CreateReceiptInput, items: ReceiptItemInput[], options: QueryOptions = {}): Promise<ReceiptWithItems> {
    checkOptions(options, TX, 'create receipt');
    // One parse for both, so every problem is reported at once: paths read `receipt.x` and `items.16.x`.
    const parsed = parseInput(this.engine.inputBounds, this.withItemsSchema, { receipt, items }, 'create receipt');
    const r = parsed.receipt as z.output<typeof createReceiptSchema>;
    const column = <K extends keyof (typeof parsed.items)[number]>(key: K) => parsed.items.map((item) => item[key] ?? null);
    const itemsMeta = this.tables.receiptItems;
    // The receipt goes first, as a statement of its own in the same round trip and transaction: the
    // items' row-level security policy must see it, and a row inserted by a CTE of the same statement
    // is invisible to it. Its id is made here, so the items' statement can name it.
    const id = randomUUID();
    const receiptRow = sql`INSERT INTO ${T.receipts} (id, user_id, store_name, total_amount, purchase_date, image_path, ocr_confidence, metadata, conversation_id)
        VALUES (${id}, ${this.scope.userId ?? r.userId}, ${r.storeName ?? null}, ${r.totalAmount ?? null}, ${r.purchaseDate ?? null},
                ${r.imagePath ?? null}, ${r.ocrConfidence ?? null}, coalesce(${r.metadata === undefined ? null : JSON.stringify(r.metadata)}::jsonb, '{}'::jsonb),
                ${r.conversationId ?? null})`;
    const { rows } = await this.run<ReceiptRecord & { items: Record<string, unknown>[] }>(
      sql`WITH i AS (
            INSERT INTO ${T.receiptItems} (receipt_id, product_name, quantity, unit_price, total_price, category_id, product_id, unit, created_at)
            SELECT ${id}::uuid, u.product_name, coalesce(u.quantity, 1), u.unit_price, u.total_price, u.category_id, u.product_id, u.unit, clock_timestamp()
              FROM unnest(${column('productName')}::text[], ${column('quantity')}::numeric[], ${column('unitPrice')}::numeric[],
                             ${column('totalPrice')}::numeric[], ${column('categoryId')}::uuid[], ${column('productId')}::uuid[], ${column('unit')}::text[])
                   WITH ORDINALITY AS u(product_name, quantity, unit_price, total_price, category_id, product_id, unit, n)
             ORDER BY u.n
            RETURNING *
          )
          SELECT ${this.meta.select('r')},
                 coalesce((SELECT json_agg(k ORDER BY ${ident('k', itemsMeta.attributeOf('created_at'))}, k.id)
                             FROM (SELECT ${itemsMeta.jsonSelect('i')} FROM i) k), '[]') AS items
            FROM ${T.receipts} r WHERE r.id = ${id}`,
      options,
      [receiptRow],
    );
    const row = rows[0]!;
    return { ...row, items: row.items.map((i) => itemsMeta.revive<ReceiptItemRecord>(i)) };
  }

  /** Receipts in scope, newest purchase first, optionally within purchase dates (inclusive). */
  async listByPurchaseDate(range: PurchaseRange = {}, options: QueryOptions = {}): Promise<ReceiptRecord[]> {
    checkOptions(options, TX, 'list receipts');
    const { from, to } = parseInput(this.engine.inputBounds, purchaseRangeSchema, range, 'receipt date range');
    const { rows } = await this.run<ReceiptRecord>(
      sql`SELECT ${this.meta.select()} FROM ${T.receipts}
           WHERE ${this.owns()}
                 ${from ? sql`AND purchase_date >= ${from}` : empty} ${to ? sql`AND purchase_date <= ${to}` : empty}
           ORDER BY purchase_date DESC, id`,
      options,
    );
    return rows;
  }

  /** The design document's `get_user_receipts` (back-office). In a user's scope use {@link listByPurchaseDate}. */
  async getUserReceipts(userId: string, range: PurchaseRange = {}, options: QueryOptions = {}): Promise<ReceiptRecord[]> {
    return new ReceiptRepository(this.engine, narrowScope(this.scope, userId)).listByPurchaseDate(range, options);
  }

  /** A receipt with its items in print order, in one statement; `null` if there is none in scope. */
  async getReceiptWithItems(receiptId: string, options: QueryOptions = {}): Promise<ReceiptWithItems | null> {
    checkOptions(options, TX, 'get receipt');
    checkId(receiptId, 'receiptId');
    return this.rowWithChildren<ReceiptWithItems, 'items'>(receiptId, { table: 'receiptItems', foreignKey: 'receipt_id', key: 'items' }, options);
  }
}
