import { createHash } from 'node:crypto';

/**
 * A schema migration. Migrations are plain SQL held in TypeScript modules and listed statically in
 * `src/migrations/index.ts`, so they survive bundling (decision 14) and their checksum is the same in
 * every build.
 */
export interface Migration {
  /** Unique, sortable name, such as `0001-initial-schema`. */
  readonly name: string;
  /** SQL run, with the bookkeeping row, in one transaction. */
  readonly up: string;
  /** SQL that undoes `up`, in one transaction. */
  readonly down: string;
  /**
   * Extensions whose schema the migration's SQL needs on its search_path besides the library's own (an
   * operator class such as `gin_trgm_ops`), when the host had installed them elsewhere. Default: none,
   * so no other schema's tables can be reached by an unqualified name. Not part of the checksum.
   */
  readonly extensions?: readonly string[];
}

/** The checksum stored with each applied migration: sha256 of its `up` and `down` SQL. */
export function migrationChecksum(migration: Migration): string {
  return createHash('sha256').update(migration.up).update('\0').update(migration.down).digest('hex');
}
