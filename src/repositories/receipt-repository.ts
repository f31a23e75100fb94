import { z } from 'zod';
import type { Engine } from '../engine/create-engine.js';
import type { QueryOptions } from '../engine/sql.js';
import type { Receipt } from '../models/receipt.js';
import type { ReceiptItem } from '../models/receipt-item.js';
import type { DateOnlyString, DecimalString } from '../models/types.js';
import { BaseRepository, type RecordOf, type ScopedOptions } from './base-repository.js';
import { dateOnly } from './schemas/common.js';
import {
  createReceiptSchema,
  receiptItemsSchema,
  updateReceiptSchema,
  type CreateReceiptInput,
  type ReceiptItemInput,
} from './schemas/receipt-schemas.js';
import { parseInput } from './validate.js';

export type ReceiptRecord = RecordOf<Receipt>;
export type ReceiptItemRecord = RecordOf<ReceiptItem>;
export type ReceiptWithItems = ReceiptRecord & { items: ReceiptItemRecord[] };

/** The document's spending statistics. Money is exact (decision 11). */
export interface SpendingStats {
  /** Sum of `total_amount`, `"0.00"` when there are no receipts. */
  totalSpent: DecimalString;
  receiptCount: number;
  /** Mean `total_amount`, rounded half away from zero to the cent; `null` when there are no receipts. */
  avgReceipt: DecimalString | null;
}

/** Filters of {@link ReceiptRepository.getUserReceipts}. Both bounds are inclusive. */
export interface ReceiptDateRange extends QueryOptions {
  /** Earliest purchase date, `YYYY-MM-DD`. Default: no lower bound. */
  startDate?: DateOnlyString;
  /** Latest purchase date, `YYYY-MM-DD`. Default: no upper bound. */
  endDate?: DateOnlyString;
}

const rangeSchema = z.strictObject({ startDate: dateOnly().optional(), endDate: dateOnly().optional() });
const requiredRangeSchema = z.strictObject({ startDate: dateOnly(), endDate: dateOnly() });
const receiptWithItemsSchema = z.strictObject({ receipt: createReceiptSchema, items: receiptItemsSchema });

/** Items as JSON with exact decimals (numeric → text; a JSON number would go through a float). */
const ITEM_JSON = `json_build_object(
  'id', i.id, 'receiptId', i.receipt_id, 'productName', i.product_name, 'quantity', i.quantity::text,
  'unitPrice', i.unit_price::text, 'totalPrice', i.total_price::text, 'categoryId', i.category_id,
  'createdAt', i.created_at, 'productId', i.product_id, 'unit', i.unit)`;

/** Receipts and their items: the document's `ReceiptRepository` and spending statistics. */
export class ReceiptRepository extends BaseRepository<Receipt, typeof createReceiptSchema, typeof updateReceiptSchema> {
  constructor(engine: Engine) {
    super(engine, engine.models.Receipt, { create: createReceiptSchema, update: updateReceiptSchema }, 'receipt', 'user_id');
  }

  /**
   * Creates a receipt and all its items atomically, in one statement and one round trip: a CTE inserts
   * the receipt, and `unnest` over one array per column inserts the items. Items keep their order.
   *
   * Every item is validated before anything is sent. An invalid item 17 throws a `ValidationError`
   * whose path starts `items.16`, and no receipt is written.
   *
   * @example
   * ```ts
   * const receipt = await repos.receipts.createWithItems(
   *   { userId, storeName: 'Lidl', totalAmount: '7.48', purchaseDate: '2026-11-20' },
   *   [{ productName: 'Spinach 250g', quantity: '1', unitPrice: '1.99', totalPrice: '1.99' }],
   * );
   * ```
   */
  async createWithItems(receipt: CreateReceiptInput, items: ReceiptItemInput[], options: QueryOptions = {}): Promise<ReceiptWithItems> {
    const parsed = parseInput(receiptWithItemsSchema, { receipt, items }, 'create receipt');
    // One parse for both, so every problem is reported at once: paths read `receipt.x` and `items.16.x`.
    const r = parsed.receipt;
    const column = <K extends keyof (typeof parsed.items)[number]>(key: K) => parsed.items.map((item) => item[key] ?? null);
    const values = [
      r.userId,
      r.storeName ?? null,
      r.totalAmount ?? null,
      r.purchaseDate ?? null,
      r.imagePath ?? null,
      r.ocrConfidence ?? null,
      r.metadata === undefined ? null : JSON.stringify(r.metadata),
      r.conversationId ?? null,
      column('productName'),
      column('quantity'),
      column('unitPrice'),
      column('totalPrice'),
      column('categoryId'),
      column('productId'),
      column('unit'),
    ];
    const { rows } = await this.run<ReceiptRecord & { items: RawItem[] }>(
      `WITH r AS (
         INSERT INTO receipts (user_id, store_name, total_amount, purchase_date, image_path, ocr_confidence, metadata, conversation_id)
         VALUES ($1, $2, $3, $4, $5, $6, coalesce($7::jsonb, '{}'::jsonb), $8)
         RETURNING *
       ), i AS (
         INSERT INTO receipt_items (receipt_id, product_name, quantity, unit_price, total_price, category_id, product_id, unit, created_at)
         SELECT r.id, u.product_name, coalesce(u.quantity, 1), u.unit_price, u.total_price, u.category_id, u.product_id, u.unit, clock_timestamp()
           FROM r, unnest($9::text[], $10::numeric[], $11::numeric[], $12::numeric[], $13::uuid[], $14::uuid[], $15::text[])
                WITH ORDINALITY AS u(product_name, quantity, unit_price, total_price, category_id, product_id, unit, n)
          ORDER BY u.n
         RETURNING *
       )
       SELECT ${this.selectListFor('r')},
              coalesce((SELECT json_agg(${ITEM_JSON} ORDER BY i.created_at, i.id) FROM i), '[]') AS items
         FROM r`,
      values,
      options,
    );
    const row = rows[0]!;
    return { ...row, items: row.items.map(toItem) };
  }

  /**
   * A user's receipts, newest purchase first, optionally within purchase dates (inclusive).
   *
   * @example
   * ```ts
   * const november = await repos.receipts.getUserReceipts(userId, { startDate: '2026-11-01', endDate: '2026-11-30' });
   * ```
   */
  async getUserReceipts(userId: string, range: ReceiptDateRange = {}): Promise<ReceiptRecord[]> {
    this.checkUserId(userId);
    const { transaction, ...dates } = range;
    const { startDate, endDate } = parseInput(rangeSchema, dates, 'receipt date range');
    const values: unknown[] = [userId];
    let where = 'user_id = $1';
    if (startDate) where += ` AND purchase_date >= $${values.push(startDate)}`;
    if (endDate) where += ` AND purchase_date <= $${values.push(endDate)}`;
    const { rows } = await this.run<ReceiptRecord>(
      `SELECT ${this.selectList} FROM receipts WHERE ${where} ORDER BY purchase_date DESC, id`,
      values,
      { transaction },
    );
    return rows;
  }

  /**
   * Total spent, number of receipts and average receipt for purchases between two dates (inclusive),
   * computed in SQL and returned exactly.
   *
   * @example
   * ```ts
   * const { totalSpent, receiptCount, avgReceipt } = await repos.receipts.getUserSpendingStats(userId, '2026-11-01', '2026-11-30');
   * ```
   */
  async getUserSpendingStats(userId: string, startDate: DateOnlyString, endDate: DateOnlyString, options: QueryOptions = {}): Promise<SpendingStats> {
    this.checkUserId(userId);
    parseInput(requiredRangeSchema, { startDate, endDate }, 'spending stats');
    const { rows } = await this.run<SpendingStats>(
      `SELECT coalesce(sum(total_amount), 0.00)::text AS "totalSpent",
              count(id)::int AS "receiptCount",
              round(avg(total_amount), 2)::text AS "avgReceipt"
         FROM receipts WHERE user_id = $1 AND purchase_date >= $2 AND purchase_date <= $3`,
      [userId, startDate, endDate],
      options,
    );
    return rows[0]!;
  }

  /**
   * A receipt with its items in print order, in one statement; `null` if there is none.
   *
   * @example
   * ```ts
   * const receipt = await repos.receipts.getReceiptWithItems(receiptId, { userId });
   * ```
   */
  async getReceiptWithItems(receiptId: string, options: ScopedOptions = {}): Promise<ReceiptWithItems | null> {
    this.checkId(receiptId, 'receiptId');
    const values: unknown[] = [receiptId];
    const scope = options.userId !== undefined ? ` AND ${this.ownerWhere(options.userId, values, 'r')}` : '';
    const { rows } = await this.run<ReceiptRecord & { items: RawItem[] }>(
      `SELECT ${this.selectListFor('r')},
              coalesce((SELECT json_agg(${ITEM_JSON} ORDER BY i.created_at, i.id)
                          FROM receipt_items i WHERE i.receipt_id = r.id), '[]') AS items
         FROM receipts r WHERE r.id = $1${scope}`,
      values,
      options,
    );
    const row = rows[0];
    return row ? { ...row, items: row.items.map(toItem) } : null;
  }
}

type RawItem = Omit<ReceiptItemRecord, 'createdAt'> & { createdAt: string };

function toItem(item: RawItem): ReceiptItemRecord {
  return { ...item, createdAt: new Date(item.createdAt) } as ReceiptItemRecord;
}
