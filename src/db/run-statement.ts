import type { QueryResultRow } from 'pg';
import type { Engine } from '../engine/create-engine.js';
import { execute, type QueryOptions } from '../engine/execute.js';
import { mapDatabaseError } from './map-database-error.js';
import type { Sql } from './sql.js';

/**
 * Runs one statement built with the `sql` tag and turns database errors into the library's errors,
 * naming `entity`. Every repository and domain statement goes through here.
 *
 * @internal
 */
export async function runStatement<R extends QueryResultRow>(
  engine: Engine,
  entity: string,
  query: Sql,
  options: QueryOptions = {},
): Promise<{ rows: R[]; rowCount: number }> {
  try {
    return await execute<R>(engine, query.text, query.values, options);
  } catch (error) {
    throw mapDatabaseError(error, entity);
  }
}
