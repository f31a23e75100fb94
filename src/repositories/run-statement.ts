import type { QueryResultRow } from 'pg';
import type { Engine } from '../engine/create-engine.js';
import { execute, type QueryOptions } from '../engine/sql.js';
import { mapDatabaseError } from './map-database-error.js';

/**
 * Runs one parameterised statement and turns database errors into the library's errors, naming
 * `entity`. Repositories, the pantry ledger and its journal all go through here.
 *
 * @internal
 */
export async function runStatement<R extends QueryResultRow>(
  engine: Engine,
  entity: string,
  text: string,
  values: readonly unknown[],
  options: QueryOptions = {},
): Promise<{ rows: R[]; rowCount: number }> {
  try {
    return await execute<R>(engine, text, values, options);
  } catch (error) {
    throw mapDatabaseError(error, entity);
  }
}
