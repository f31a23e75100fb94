import { createBackup, restoreBackup } from './backup.js';

/**
 * The design document's `DatabaseBackup`, for code ported from it. It parses the URL properly (the
 * document's split on ':' and '@' broke on such passwords and dropped query parameters), writes a
 * custom-format dump with a checksum, and restores in one transaction.
 *
 * @example
 * ```ts
 * const backups = new DatabaseBackup(process.env.DATABASE_URL!);
 * const file = await backups.createBackup();
 * await backups.restoreBackup(file);
 * ```
 */
export class DatabaseBackup {
  /**
   * @param databaseUrl - the database to back up and restore
   * @param backupDir - where dumps go. Default: `./backups/database`, as in the document.
   */
  constructor(
    readonly databaseUrl: string,
    readonly backupDir = './backups/database',
  ) {}

  /** Creates a backup and returns its path. @throws {BackupError} */
  async createBackup(): Promise<string> {
    return (await createBackup({ databaseUrl: this.databaseUrl, dir: this.backupDir })).path;
  }

  /**
   * Restores a backup into this database. Resolves `true` when restored; like the document, a failed
   * restore resolves `false` (the database is left as it was).
   */
  async restoreBackup(backupFile: string): Promise<boolean> {
    try {
      await restoreBackup(backupFile, { databaseUrl: this.databaseUrl });
      return true;
    } catch {
      return false;
    }
  }
}
