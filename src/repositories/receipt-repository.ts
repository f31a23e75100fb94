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

/** Spending by store, category and month. Money is exact. */
export interface SpendingBreakdown {
  byStore: { storeName: string | null; total: DecimalString; receipts: number }[];
  byCategory: { categoryId: string | null; categoryName: string | null; total: DecimalString; lines: number }[];
  byMonth: { month: string; total: DecimalString; receipts: number }[];
}

/** A proposed product for an unmatched receipt line. */
export interface MatchProposal {
  receiptItemId: string;
  productName: string;
  /** `null` when nothing is similar enough. */
  productId: string | null;
  /** `learned`: this user matched this line at this store before; `similar`: by name. */
  source: 'learned' | 'similar' | null;
  /** 1 for a learned match, else the trigram similarity (0..1); `null` with no proposal. */
  similarity: number | null;
}

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

  /**
   * Spending between two dates (inclusive) by store, by category and by month, exact. Store and month
   * sums use receipt totals; category sums use line totals, with the line's category or else its
   * product's.
   *
   * @example
   * ```ts
   * const { byStore, byCategory, byMonth } = await repos.receipts.getSpendingBreakdown(userId, '2026-01-01', '2026-12-31');
   * ```
   */
  async getSpendingBreakdown(userId: string, startDate: DateOnlyString, endDate: DateOnlyString, options: QueryOptions = {}): Promise<SpendingBreakdown> {
    this.checkUserId(userId);
    parseInput(requiredRangeSchema, { startDate, endDate }, 'spending breakdown');
    const values = [userId, startDate, endDate];
    const where = 'r.user_id = $1 AND r.purchase_date >= $2 AND r.purchase_date <= $3';
    const [byStore, byCategory, byMonth] = await Promise.all([
      this.run<SpendingBreakdown['byStore'][number]>(
        `SELECT r.store_name AS "storeName", coalesce(sum(r.total_amount), 0)::text AS total, count(*)::int AS receipts
           FROM receipts r WHERE ${where} GROUP BY r.store_name ORDER BY sum(r.total_amount) DESC NULLS LAST, r.store_name`,
        values,
        options,
      ),
      this.run<SpendingBreakdown['byCategory'][number]>(
        `SELECT c.id AS "categoryId", c.name AS "categoryName", coalesce(sum(i.total_price), 0)::text AS total, count(*)::int AS lines
           FROM receipts r JOIN receipt_items i ON i.receipt_id = r.id
           LEFT JOIN products p ON p.id = i.product_id
           LEFT JOIN categories c ON c.id = coalesce(i.category_id, p.category_id)
          WHERE ${where} GROUP BY c.id, c.name ORDER BY sum(i.total_price) DESC NULLS LAST, c.name`,
        values,
        options,
      ),
      this.run<SpendingBreakdown['byMonth'][number]>(
        `SELECT to_char(date_trunc('month', r.purchase_date), 'YYYY-MM') AS month, coalesce(sum(r.total_amount), 0)::text AS total,
                count(*)::int AS receipts
           FROM receipts r WHERE ${where} GROUP BY 1 ORDER BY 1`,
        values,
        options,
      ),
    ]);
    return { byStore: byStore.rows, byCategory: byCategory.rows, byMonth: byMonth.rows };
  }

  /**
   * Proposes a product for every receipt line that has none: first what this user matched the same
   * line to at the same store before (`learned`), else the most similar product name by trigrams
   * (`similar`, with its similarity), else nothing. One query; it changes nothing.
   *
   * @example
   * ```ts
   * for (const p of await repos.receipts.matchReceiptItems(receiptId, { userId })) {
   *   if (p.source === 'learned') await repos.receipts.acceptMatch(userId, p.receiptItemId, p.productId!);
   * }
   * ```
   */
  async matchReceiptItems(receiptId: string, options: ScopedOptions = {}): Promise<MatchProposal[]> {
    this.checkId(receiptId, 'receiptId');
    const values: unknown[] = [receiptId];
    const scope = options.userId !== undefined ? ` AND ${this.ownerWhere(options.userId, values, 'r')}` : '';
    const { rows } = await this.run<MatchProposal>(
      `SELECT i.id AS "receiptItemId", i.product_name AS "productName",
              coalesce(m.product_id, s.id) AS "productId",
              CASE WHEN m.product_id IS NOT NULL THEN 'learned' WHEN s.id IS NOT NULL THEN 'similar' END AS source,
              CASE WHEN m.product_id IS NOT NULL THEN 1 ELSE s.sim END::float8 AS similarity
         FROM receipt_items i
         JOIN receipts r ON r.id = i.receipt_id
         LEFT JOIN product_matches m
           ON m.user_id = r.user_id AND m.store_key = lower(coalesce(r.store_name, '')) AND m.line_key = lower(trim(i.product_name))
         LEFT JOIN LATERAL (
           SELECT p.id, greatest(similarity(lower(p.name), lower(i.product_name)), word_similarity(lower(p.name), lower(i.product_name))) AS sim
             FROM products p
            WHERE m.product_id IS NULL AND (lower(p.name) % lower(i.product_name) OR lower(p.name) <% lower(i.product_name))
            ORDER BY sim DESC, length(p.name), p.id LIMIT 1
         ) s ON true
        WHERE i.receipt_id = $1 AND i.product_id IS NULL${scope}
        ORDER BY i.created_at, i.id`,
      values,
      options,
    );
    return rows;
  }

  /**
   * Matches a receipt line to a product and remembers it for this user and store, so the same line
   * from the same store is proposed as `learned` next time. Returns the updated line, or `null` when the
   * line is not the user's.
   *
   * @example
   * ```ts
   * await repos.receipts.acceptMatch(userId, receiptItemId, milkId);
   * ```
   */
  async acceptMatch(userId: string, receiptItemId: string, productId: string, options: QueryOptions = {}): Promise<ReceiptItemRecord | null> {
    this.checkUserId(userId);
    this.checkId(receiptItemId, 'receiptItemId');
    this.checkId(productId, 'productId');
    const { rows } = await this.run<RawItem>(
      `WITH line AS (
         UPDATE receipt_items i SET product_id = $3
           FROM receipts r
          WHERE i.id = $2 AND r.id = i.receipt_id AND r.user_id = $1
         RETURNING i.*, r.store_name
       ), remembered AS (
         INSERT INTO product_matches (user_id, store_key, line_key, product_id)
         SELECT $1, lower(coalesce(store_name, '')), lower(trim(product_name)), $3 FROM line
         ON CONFLICT (user_id, store_key, line_key)
         DO UPDATE SET product_id = EXCLUDED.product_id, times = product_matches.times + 1, last_used_at = now()
       )
       SELECT ${ITEM_JSON} AS item FROM line i`,
      [userId, receiptItemId, productId],
      options,
    );
    const row = rows[0] as unknown as { item: RawItem } | undefined;
    return row ? toItem(row.item) : null;
  }
}

type RawItem = Omit<ReceiptItemRecord, 'createdAt'> & { createdAt: string };

function toItem(item: RawItem): ReceiptItemRecord {
  return { ...item, createdAt: new Date(item.createdAt) } as ReceiptItemRecord;
}
