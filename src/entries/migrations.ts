/** `foodsave-db/migrations`: the library's migrations as data, for hosts that run them with their own tooling. */
export { migrations } from '../migrations/index.js';
export { migrationChecksum, type Migration } from '../migrations/migration.js';
export {
  runMigrations,
  revertMigrations,
  migrationStatus,
  type MigrationOptions,
  type MigrationStatus,
  type ExecutedMigration,
} from '../migrations/runner.js';
