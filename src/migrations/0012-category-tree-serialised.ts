import { categoryTreeBounds } from './0010-category-tree-bounds.js';
import type { Migration } from './migration.js';

/**
 * Closes the race 0010 left open. Its advisory lock serialises tree writers in READ COMMITTED, but two
 * REPEATABLE READ or SERIALIZABLE transactions took their snapshots before the lock, so each could pass
 * the check against the tree as it was and together close a cycle. Now every tree change updates one
 * row (`foodsave_category_tree_version`): writers wait for each other on its row lock, as before, and a
 * writer whose snapshot predates another writer's committed change fails with a serialization failure
 * (40001, a `DatabaseError` with that SQLSTATE: retry the transaction), since PostgreSQL never lets
 * such a transaction update a row changed after its snapshot. In READ COMMITTED the trigger's statements
 * see the other writer's change once the lock is theirs, so the check is made against the current tree.
 */
/** 0010's trigger function, as `CREATE OR REPLACE`: 0010's SQL never changes (its checksum is stored). */
function function0010(): string {
  const up = categoryTreeBounds.up;
  const start = up.indexOf('CREATE FUNCTION foodsave_check_category_tree()');
  const end = up.indexOf('CREATE TRIGGER trg_categories_tree');
  if (start < 0 || end < start) throw new Error('0012: the trigger function of 0010 was not found');
  return up.slice(start, end).trim().replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION');
}

const ADVISORY_LOCK = '    PERFORM pg_advisory_xact_lock(7381240791506712166);\n';
const VERSION_UPDATE = `    -- One row every tree change updates: writers queue on its row lock, and a REPEATABLE READ or
    -- SERIALIZABLE writer whose snapshot predates another's committed change fails (40001) here.
    UPDATE foodsave_category_tree_version SET version = version + 1;
`;

/** 0010's function with the version row's update in place of its advisory lock. */
function serialisedFunction(): string {
  const before = function0010();
  if (!before.includes(ADVISORY_LOCK)) throw new Error("0012: 0010's advisory lock was not found");
  return before.replace(ADVISORY_LOCK, VERSION_UPDATE);
}

export const categoryTreeSerialised: Migration = {
  name: '0012-category-tree-serialised',
  up: /* sql */ `
CREATE TABLE foodsave_category_tree_version (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    version bigint NOT NULL DEFAULT 0
);
INSERT INTO foodsave_category_tree_version DEFAULT VALUES;
${serialisedFunction()}
`,
  down: /* sql */ `
${function0010()}
DROP TABLE foodsave_category_tree_version;
`,
};
