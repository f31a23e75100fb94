import type { Migration } from './migration.js';

/**
 * The email as the unique index compares it, `lower(email)`, kept in a stored generated column that the
 * unique index (still `users_email_lower_key`, decision 7) is built on.
 *
 * Why a column: under row-level security PostgreSQL may use a condition as an index condition only if it
 * is leak-proof, and `lower(email) = lower($1)` calls `lower` on the row, which is not. A back-office
 * look-up by email therefore read every user and checked each one after the policy (10k users: a
 * sequential scan, 7.6 ms). `email_key = lower($1)` compares a plain column, so it is one probe of this
 * index, whatever the scope.
 *
 * Adding a stored column rewrites `users` under an exclusive lock: on a large table, run it when the
 * host's sign-ups can wait for it.
 */
export const usersEmailKey: Migration = {
  name: '0017-users-email-key',
  up: /* sql */ `
ALTER TABLE users ADD COLUMN email_key text GENERATED ALWAYS AS (lower(email)) STORED;
CREATE UNIQUE INDEX users_email_key_new ON users (email_key);
DROP INDEX users_email_lower_key;
ALTER INDEX users_email_key_new RENAME TO users_email_lower_key;
`,
  down: /* sql */ `
CREATE UNIQUE INDEX users_email_lower_key_old ON users (lower(email));
ALTER TABLE users DROP COLUMN email_key;
ALTER INDEX users_email_lower_key_old RENAME TO users_email_lower_key;
`,
};
