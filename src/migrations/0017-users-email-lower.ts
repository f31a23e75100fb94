import type { Migration } from './migration.js';

/**
 * The email as the unique index compares it, `lower(email)`, kept in a stored generated column that the
 * unique index (still `users_email_lower_key`, decision 7) is built on.
 *
 * Why a column: under row-level security PostgreSQL may use a condition as an index condition only if it
 * is leak-proof, and `lower(email) = lower($1)` applies `lower`, which is not, to the row. A back-office
 * look-up by email therefore read every user and checked each one after the policy (10k users: a
 * sequential scan, 7.6 ms). `email_lower = lower($1)` compares a plain column, so it is one probe of this
 * index, whatever the scope.
 *
 * Adding a stored column rewrites `users` under an ACCESS EXCLUSIVE lock, taken once every transaction
 * already using `users` has ended: until the rewrite commits, every read of a user and every write of a
 * row that references one waits. On a large table, run it when the service can pause for that.
 * (The name follows PostgreSQL's own for a unique key on `email_lower`; `users_email_key` is 0001's
 * case-sensitive UNIQUE(email), left as it is.)
 */
export const usersEmailLower: Migration = {
  name: '0017-users-email-lower',
  up: /* sql */ `
ALTER TABLE users ADD COLUMN email_lower text GENERATED ALWAYS AS (lower(email)) STORED;
CREATE UNIQUE INDEX users_email_lower_key_0017 ON users (email_lower);
DROP INDEX users_email_lower_key;
ALTER INDEX users_email_lower_key_0017 RENAME TO users_email_lower_key;
`,
  down: /* sql */ `
CREATE UNIQUE INDEX users_email_lower_key_0017 ON users (lower(email));
ALTER TABLE users DROP COLUMN email_lower;
ALTER INDEX users_email_lower_key_0017 RENAME TO users_email_lower_key;
`,
};
