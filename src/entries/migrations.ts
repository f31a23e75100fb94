/**
 * `foodsave-db/migrations`: the library's migrations as data, for hosts that run them with their own
 * tooling. The runner (`runMigrations`, `revertMigrations`, `migrationStatus`) is in the main entry.
 */
export { migrations } from '../migrations/index.js';
export { migrationChecksum, type Migration } from '../migrations/migration.js';
