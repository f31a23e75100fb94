import type { Transaction } from 'sequelize';
import type { Engine } from '../engine/create-engine.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { DateOnlyString } from '../models/types.js';
import { productStorageInfoSchema, type ProductStorageInfo } from '../values/units.js';
import { runStatement } from '../db/run-statement.js';
import type { Scope } from '../db/scope.js';
import { dateOnly, INPUT_BOUNDS } from '../db/schemas/common.js';
import { sql } from '../db/sql.js';
import { T } from '../db/table-metadata.js';
import { parseInput } from '../db/validate.js';
import { z } from 'zod';

/**
 * A catalogue product's shelf life and unit conversions (`storage_info`), validated. The catalogue is
 * shared, so a malformed row is reported against the product rather than taken on trust.
 *
 * @throws {NotFoundError} when there is no such product.
 * @internal
 */
export async function productStorageInfo(engine: Engine, scope: Scope, productId: string, transaction: Transaction | null | undefined): Promise<ProductStorageInfo> {
  return (await productsStorageInfo(engine, scope, [productId], transaction)).get(productId)!;
}

/**
 * Several products' storage info in one query, by product id.
 *
 * @throws {NotFoundError} when one of them does not exist.
 * @internal
 */
export async function productsStorageInfo(
  engine: Engine,
  scope: Scope,
  productIds: readonly string[],
  transaction: Transaction | null | undefined,
): Promise<Map<string, ProductStorageInfo>> {
  const { rows } = await runStatement<{ id: string; info: unknown }>(
    engine,
    scope,
    'product',
    sql`SELECT id, storage_info AS info FROM ${T.products} WHERE id = ANY(${productIds}::uuid[])`,
    { transaction },
  );
  const found = new Map(rows.map((r) => [r.id, validStorageInfo(r.id, r.info)]));
  const absent = productIds.find((id) => !found.has(id));
  if (absent) throw new NotFoundError('product', `productId: no product ${absent}`, { field: 'productId' });
  return found;
}

function validStorageInfo(productId: string, info: unknown): ProductStorageInfo {
  const parsed = productStorageInfoSchema.safeParse(info ?? {});
  if (!parsed.success) {
    throw new ValidationError(parsed.error.issues.map((i) => ({ path: ['storageInfo', ...i.path.map(String)], message: i.message })), {
      context: `product ${productId}`,
    });
  }
  return parsed.data;
}

const asOfSchema = z.strictObject({ asOf: dateOnly() });

/** The `asOf` day of an options object, validated; `null` for the server's current date. @internal */
export function asOfDay(options: { asOf?: DateOnlyString }): string | null {
  if (options.asOf === undefined) return null;
  parseInput(INPUT_BOUNDS, asOfSchema, { asOf: options.asOf }, 'pantry');
  return options.asOf;
}
