import type { QueryResultRow } from 'pg';
import type { Transaction } from 'sequelize';
import type { Engine } from '../engine/create-engine.js';
import type { QueryOptions } from '../engine/execute.js';
import { inTransaction } from '../db/with-transaction.js';
import { NotFoundError } from '../errors.js';
import { checkOptions, TX } from '../db/options.js';
import { runStatement } from '../db/run-statement.js';
import { checkId, type Scope } from '../db/scope.js';
import { ident, sql, type Sql } from '../db/sql.js';
import { T } from '../db/table-metadata.js';
import type { AddPantryItemInput, LotChange, PantryLedger } from './pantry-ledger.js';

/** Receipts into the pantry: matched receipt lines become priced lots, through the ledger. */
export class ReceiptStocking {
  /** @internal Use `createFoodsave(engine).forUser(id).ledger.stockFromReceipt`. */
  constructor(
    private readonly engine: Engine,
    private readonly scope: Scope,
    private readonly ledger: PantryLedger,
  ) {}

  /**
   * Turns every receipt line that is matched to a product (and not stocked yet) into a pantry lot, with
   * its price, store and purchase date, logging an `added` event per lot, in one transaction. Lines
   * without a product, or with a negative total (discounts), are skipped. Units default to `pcs`.
   *
   * @throws {NotFoundError} when the receipt is not in this scope.
   * @example
   * ```ts
   * const lots = await me.ledger.stockFromReceipt(receiptId);
   * ```
   */
  async stockFromReceipt(receiptId: string, options: QueryOptions = {}): Promise<LotChange[]> {
    checkOptions(options, TX, 'stock from receipt');
    checkId(receiptId, 'receiptId', 'stock from receipt');
    return inTransaction(this.engine, options.transaction, async (transaction) => {
      const receipt = await this.run<{ storeName: string | null; purchaseDate: string | null }>(
        sql`SELECT store_name AS "storeName", purchase_date AS "purchaseDate" FROM ${T.receipts} WHERE id = ${receiptId} AND ${this.owns()} FOR UPDATE`,
        transaction,
      );
      if (!receipt.rows[0]) throw new NotFoundError('receipt', `receiptId: no receipt ${receiptId}`, { field: 'receiptId' });
      const { storeName, purchaseDate } = receipt.rows[0];
      const { rows: lines } = await this.run<{ id: string; productId: string; quantity: string; unit: string | null; totalPrice: string | null }>(
        sql`SELECT i.id, i.product_id AS "productId", i.quantity, i.unit, i.total_price AS "totalPrice"
              FROM ${T.receiptItems} i
             WHERE i.receipt_id = ${receiptId} AND i.product_id IS NOT NULL AND coalesce(i.total_price, 0) >= 0 AND i.quantity > 0
               AND NOT EXISTS (SELECT 1 FROM ${T.pantryItems} p WHERE p.receipt_item_id = i.id)
             ORDER BY i.created_at, i.id`,
        transaction,
      );
      const changes: LotChange[] = [];
      for (const line of lines) {
        const input: AddPantryItemInput = { productId: line.productId, quantity: line.quantity, unit: line.unit ?? 'pcs', storeName, receiptItemId: line.id };
        if (purchaseDate) input.purchaseDate = purchaseDate;
        if (line.totalPrice !== null) input.totalPrice = line.totalPrice;
        changes.push(await this.ledger.addItem(input, { transaction }));
      }
      return changes;
    });
  }

  private owns(): Sql {
    return this.scope.owns(ident('user_id'));
  }

  private run<R extends QueryResultRow>(query: Sql, transaction: Transaction) {
    return runStatement<R>(this.engine, this.scope, 'receipt', query, { transaction });
  }
}
