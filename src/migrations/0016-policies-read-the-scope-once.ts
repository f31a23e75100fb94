import { ALL_ROWS, OWNED, ROW_USER } from './0011-row-level-security.js';
import { CHILDREN, ownerPolicy, parentVisible } from './0014-child-policies-without-functions.js';
import type { Migration } from './migration.js';

/** `expression` as a scalar sub-select: the planner makes it an InitPlan, run once per statement. */
const once = (expression: string) => `(SELECT ${expression})`;

const isChild = (table: string) => CHILDREN.some(([child]) => child === table);
/**
 * `users` keeps reading the scope per row: a scope sees one user row, and for one row the two InitPlans
 * cost more than they save (about 15 µs of server CPU on a get by id, measured).
 */
const owners = OWNED.filter(([table]) => !isChild(table) && table !== 'users');

/** The owner policies this migration changes, with each scope expression read through `read`. */
function policies(read: (expression: string) => string): string {
  return [
    ...owners.map(([table, visible]) => ownerPolicy(table, visible.replaceAll(ROW_USER, read(ROW_USER)), read(ALL_ROWS))),
    ...CHILDREN.map(([child, parent, column]) => ownerPolicy(child, parentVisible(child, parent, column), read(ALL_ROWS))),
  ].join('');
}

/**
 * The owner policies read the scope once per statement instead of once per row. Until now each row a
 * policy looked at read `foodsave.user_id` up to three times, measured its length and parsed it as a
 * UUID, and a child row did it again inside the probe of its parent: for a receipt of 30 lines that was
 * most of what row-level security cost the server. As scalar sub-selects, the back-office test and the
 * scope's user are computed once, when the statement starts, and each row compares against a parameter.
 * Same conditions, same answers: this is 0011's and 0014's policies with the two scope expressions
 * wrapped, nothing else.
 *
 * The price is a fixed cost per statement: each sub-select is a small plan of its own, to plan and to
 * start and run. On a statement that reads one row that outweighs the saving (hence `users` is left as
 * it was). The library names its statements (DATABASE_PREPARED_STATEMENTS), so on a direct connection the
 * planning is paid once per connection; unnamed behind a pooler it is paid per statement, and measured
 * no slower overall than before.
 */
export const policiesReadTheScopeOnce: Migration = {
  name: '0016-policies-read-the-scope-once',
  up: policies(once),
  down: policies((expression) => expression),
};
