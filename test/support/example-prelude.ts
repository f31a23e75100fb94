/**
 * The names every TSDoc `@example` in src/ may use without declaring them (README examples get none of
 * this: they must compile on their own). test/examples.test.ts imports every export of this file into
 * each TSDoc example, together with every export of the package (src/index.ts), except the names the
 * example declares or imports itself.
 *
 * To add a name: add one `export declare const name: Type;` (or re-export a value/type) below. Keep the
 * types those of the public API, imported from '../../src/index.js', so an example that misuses the
 * API fails to compile.
 */
import type { ServerResponse } from 'node:http';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { AdminRepositories, Engine, Foodsave, Logger, UnitRegistry, UserScope } from '../../src/index.js';

// Third-party names examples use as if imported.
export { Registry } from 'prom-client';
export { PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
export { Sequelize } from 'sequelize';

// The usual host-side values.
/** An engine from `createEngine()`. */
export declare const engine: Engine;
/** `createFoodsave(engine)`. */
export declare const db: Foodsave;
/** `db.forUser(userId)`: the signed-in user's scope. */
export declare const me: UserScope;
/** `db.admin`: the back-office repositories. */
export declare const admin: AdminRepositories;
/**
 * The signed-in user's id, and a row id. Other ids need no entry: any undeclared identifier ending in
 * `Id` (`milkId`, `conversationId`) is declared as a string automatically (see test/support/examples.ts).
 */
export declare const userId: string;
export declare const id: string;
/** A PostgreSQL URL. */
export declare const databaseUrl: string;
/** A PostgreSQL URL (same as `databaseUrl`). */
export declare const url: string;
/** A backup file path. */
export declare const file: string;
/** The host's logger. */
export declare const logger: Logger;
/** `createUnitRegistry()`. */
export declare const units: UnitRegistry;

// Host framework stand-ins (an HTTP response, an Express-like app, a metrics sink, an OTel exporter).
export declare const res: ServerResponse;
export declare const app: {
  get(
    path: string,
    handler: (
      req: unknown,
      res: { type(contentType: string): { send(body: string): void } },
    ) => unknown,
  ): void;
};
export declare const stats: { record(...values: unknown[]): void };
export declare const exporter: PushMetricExporter;
