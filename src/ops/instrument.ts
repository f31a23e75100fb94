import type { Engine } from '../engine/create-engine.js';
import type { EngineEventMap, QueryEvent } from '../engine/engine-events.js';
import { createSqlClassifier, type SqlOperation } from './sql-operation.js';

/** One finished statement, as the hooks see it. */
export interface QueryMetric extends SqlOperation {
  durationSeconds: number;
  success: boolean;
  /** The error's class name (`DatabaseError`, `ConnectionError`, ...) when it failed. */
  errorType?: string;
}

/**
 * The host's callbacks. Every one is optional. They run synchronously on the query path: keep them
 * cheap (increment a counter), and never throw (a throwing hook is caught and ignored).
 */
export interface MetricsHooks {
  /** After every statement, successful or not. */
  onQuery?(metric: QueryMetric): void;
  /** A connection was handed out after waiting. */
  onAcquire?(event: { waitSeconds: number }): void;
  /** Waiting for a connection timed out. */
  onAcquireTimeout?(event: { waitSeconds: number }): void;
  /** A server connection was opened. */
  onConnect?(): void;
  /** A server connection was closed (`reason: 'recycled'` when it was too old). */
  onDisconnect?(event: { reason?: string }): void;
  /** Called once by {@link instrument} with the engine, for hooks that read the pool when scraped. */
  attach?(engine: Engine): () => void;
}

/**
 * Calls the host's hooks on every query (with its operation, table, duration and outcome) and on pool
 * events. It listens to the engine's own events, which see every statement, the failed ones with their
 * error (Sequelize's `afterQuery` hook does not carry the error). Returns a function that detaches.
 *
 * @example
 * ```ts
 * const detach = instrument(engine, {
 *   onQuery: ({ operation, table, durationSeconds, success }) => stats.record(operation, table, durationSeconds, success),
 * });
 * ```
 */
export function instrument(engine: Engine, hooks: MetricsHooks): () => void {
  const classify = createSqlClassifier();
  const safe = <A extends unknown[]>(fn: ((...args: A) => void) | undefined) =>
    fn
      ? (...args: A) => {
          try {
            fn.apply(hooks, args);
          } catch {
            // A broken metrics hook must never break a query.
          }
        }
      : undefined;
  const listeners: [string, (...args: never[]) => void][] = [];
  const on = (event: keyof EngineEventMap, listener: ((...args: never[]) => void) | undefined) => {
    if (!listener) return;
    engine.events.on(event, listener as never);
    listeners.push([event, listener]);
  };

  const onQuery = safe(hooks.onQuery);
  on(
    'query',
    onQuery &&
      ((e: QueryEvent) => {
        const { operation, table } = classify(e.sql);
        onQuery({
          operation,
          table,
          durationSeconds: e.durationMs / 1000,
          success: !e.error,
          ...(e.error ? { errorType: e.error.constructor?.name ?? 'Error' } : {}),
        });
      }),
  );
  const onAcquire = safe(hooks.onAcquire);
  on('acquire', onAcquire && ((e: { waitMs: number }) => onAcquire({ waitSeconds: e.waitMs / 1000 })));
  const onTimeout = safe(hooks.onAcquireTimeout);
  on('acquireTimeout', onTimeout && ((e: { waitMs: number }) => onTimeout({ waitSeconds: e.waitMs / 1000 })));
  const onConnect = safe(hooks.onConnect);
  on('connect', onConnect && (() => onConnect()));
  const onDisconnect = safe(hooks.onDisconnect);
  on('disconnect', onDisconnect && ((e: { reason?: string }) => onDisconnect(e)));
  const detachHooks = hooks.attach?.(engine);

  return () => {
    for (const [event, listener] of listeners) engine.events.off(event as never, listener as never);
    detachHooks?.();
  };
}
