import type { Sequelize } from 'sequelize';
import type { EngineEvents } from './engine-events.js';

interface ConnectionManagerLike {
  getConnection(options?: unknown): Promise<unknown>;
  releaseConnection(connection: unknown): void;
}

/**
 * Reports acquire waits, timeouts and releases as engine events.
 *
 * Sequelize's `afterPoolAcquire` hook does not fire when the acquire times out, so the engine's own
 * connection manager methods are wrapped instead. Only this instance is touched, never the prototype.
 *
 * @internal
 */
export function instrumentPool(sequelize: Sequelize, events: EngineEvents): void {
  const manager = sequelize.connectionManager as unknown as ConnectionManagerLike;
  const getConnection = manager.getConnection.bind(manager);
  const releaseConnection = manager.releaseConnection.bind(manager);
  manager.getConnection = async (options?: unknown) => {
    const started = performance.now();
    try {
      const connection = await getConnection(options);
      events.emit('acquire', { waitMs: performance.now() - started });
      return connection;
    } catch (error) {
      if ((error as Error).name === 'SequelizeConnectionAcquireTimeoutError') {
        events.emit('acquireTimeout', { waitMs: performance.now() - started, error: error as Error });
      }
      throw error;
    }
  };
  manager.releaseConnection = (connection: unknown) => {
    releaseConnection(connection);
    events.emit('release', {});
  };
}

/**
 * Reports every statement Sequelize runs, with its duration and, on failure, its error.
 * Sequelize's `afterQuery` hook does not carry the error, so the instance's `query` is wrapped.
 *
 * @internal
 */
export function instrumentQueries(sequelize: Sequelize, events: EngineEvents): void {
  const query = sequelize.query.bind(sequelize) as (sql: unknown, options?: unknown) => Promise<unknown>;
  const wrapped = async (sql: unknown, options?: unknown) => {
    const started = performance.now();
    const text = typeof sql === 'string' ? sql : String((sql as { query?: string })?.query ?? '');
    try {
      const result = await query(sql, options);
      events.emit('query', { sql: text, durationMs: performance.now() - started });
      return result;
    } catch (error) {
      events.emit('query', { sql: text, durationMs: performance.now() - started, error: error as Error });
      throw error;
    }
  };
  (sequelize as unknown as { query: typeof wrapped }).query = wrapped;
}
