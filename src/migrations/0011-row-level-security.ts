import type { Migration } from './migration.js';

/** The scope the statement runs in: a user's UUID, `*`, or nothing (unset, or `''` once a scope ended). */
const SCOPE = "pg_catalog.current_setting('foodsave.user_id', true)";
/** The back-office scope: every user's rows. */
export const ALL_ROWS = `${SCOPE} OPERATOR(pg_catalog.=) '*'`;
/** The scope's user; anything but 36 characters is no user, 36 that are not a UUID an error. */
export const ROW_USER = `(CASE WHEN pg_catalog.length(${SCOPE}) OPERATOR(pg_catalog.=) 36 THEN ${SCOPE}::pg_catalog.uuid END)`;

/** Tables whose rows belong to one user, and the condition that names the owner. */
export const OWNED: ReadonlyArray<readonly [table: string, visible: string]> = [
  ['users', `id = ${ROW_USER}`],
  ['conversations', `user_id = ${ROW_USER}`],
  ['receipts', `user_id = ${ROW_USER}`],
  ['pantry_items', `user_id = ${ROW_USER}`],
  ['pantry_events', `user_id = ${ROW_USER}`],
  ['meal_plans', `user_id = ${ROW_USER}`],
  ['product_matches', `user_id = ${ROW_USER}`],
  // Child rows carry no user_id: they are visible when their parent is, through the parent's own policy.
  ['messages', 'foodsave_conversation_visible(conversation_id)'],
  ['receipt_items', 'foodsave_receipt_visible(receipt_id)'],
  ['meal_plan_items', 'foodsave_meal_plan_visible(meal_plan_id)'],
];

/** The parents of child rows: the function that checks one is visible, and the table it reads. */
export const PARENTS = [
  ['foodsave_conversation_visible', 'conversations'],
  ['foodsave_receipt_visible', 'receipts'],
  ['foodsave_meal_plan_visible', 'meal_plans'],
] as const;

// The parent is named with the schema (the runner's current_schema()) rather than through a
// `SET search_path` on the function, which would cost a settings change on every call, that is on every
// child row read.
export const parentFunctions = PARENTS.map(
  ([fn, table]) => /* sql */ `
DO $do$
BEGIN
    EXECUTE format($f$
CREATE FUNCTION %1$I.${fn}(parent uuid) RETURNS boolean LANGUAGE plpgsql STABLE PARALLEL SAFE AS $body$
BEGIN
    RETURN EXISTS (SELECT 1 FROM %1$I.${table} WHERE id = parent);
END;
$body$$f$, current_schema());
END;
$do$;`,
).join('');

/**
 * The shared catalogue: every scope reads it, only the back-office scope writes it. One policy per
 * command, so a read has the single policy `true`, which adds no condition at all: a policy for all
 * commands would add its condition to every read too, and policy conditions are a barrier the planner
 * may not move the statement's own conditions past (the cookable-recipes query over 10k recipes slowed
 * by half).
 */
const CATALOGUE = ['products', 'categories', 'recipes', 'recipe_ingredients', 'recipe_categories'] as const;

const ownedPolicies = OWNED.map(
  ([table, visible]) => /* sql */ `
ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;
CREATE POLICY foodsave_owner ON ${table} USING (${ALL_ROWS} OR ${visible}) WITH CHECK (${ALL_ROWS} OR ${visible});`,
).join('');

const cataloguePolicies = CATALOGUE.map(
  (table) => /* sql */ `
ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;
CREATE POLICY foodsave_read ON ${table} FOR SELECT USING (true);
CREATE POLICY foodsave_insert ON ${table} FOR INSERT WITH CHECK (${ALL_ROWS});
CREATE POLICY foodsave_update ON ${table} FOR UPDATE USING (${ALL_ROWS}) WITH CHECK (${ALL_ROWS});
CREATE POLICY foodsave_delete ON ${table} FOR DELETE USING (${ALL_ROWS});`,
).join('');

const dropPolicies = [...OWNED.map(([table]) => table), ...CATALOGUE]
  .map(
    (table) => /* sql */ `
DROP POLICY IF EXISTS foodsave_owner ON ${table};
DROP POLICY IF EXISTS foodsave_read ON ${table};
DROP POLICY IF EXISTS foodsave_insert ON ${table};
DROP POLICY IF EXISTS foodsave_update ON ${table};
DROP POLICY IF EXISTS foodsave_delete ON ${table};
ALTER TABLE ${table} NO FORCE ROW LEVEL SECURITY;
ALTER TABLE ${table} DISABLE ROW LEVEL SECURITY;`,
  )
  .join('');

/**
 * Row-level security: the second wall behind the library's own owner conditions. Every statement the
 * library sends carries its scope in the transaction-local setting `foodsave.user_id` (a user's UUID,
 * or `*` for the back-office scope), set in the same protocol round trip as the statement itself and
 * put back after it.
 * Policies admit a user's rows only when the setting names that user, so hand-written SQL, a host's own
 * models or a forgotten scope see no user's rows and can write none. The catalogue is readable by
 * everyone and writable only in the back-office scope.
 *
 * RLS is forced, so the tables' owner is held to the policies too; superusers and roles with
 * BYPASSRLS are not (PostgreSQL never applies policies to them).
 *
 * The conditions on the setting are written into the policies rather than called as SQL functions:
 * the statements are planned on every call, and inlining a function parses its body each time (about
 * 50 µs a statement, measured). They name only `pg_catalog`. The policies filter, they do not find: the
 * library's own `user_id = $1` conditions are what its index scans use. Anything but 36 characters is
 * no user at all (a session that ran a scoped statement earlier keeps the setting as an empty string);
 * 36 characters that are not a UUID are an error, loudly.
 *
 * A child row (a message, a receipt line, a meal-plan item) is checked through
 * `foodsave_conversation_visible` and its two siblings: one primary-key look-up of its parent under the
 * parent's own policy. They are plpgsql functions on purpose: as an inlined `EXISTS` the planner may turn
 * the check into a join that reads every visible parent, and the parent's policy is an `OR` no index can
 * serve, so that is a full scan of `meal_plans` (PostgreSQL 13 chose it for the shopping list).
 * Migration 0014 replaces them with an `EXISTS` the planner cannot make a join of, at a fraction of the
 * cost per row.
 */
export const rowLevelSecurity: Migration = {
  name: '0011-row-level-security',
  up: /* sql */ `
${parentFunctions}
${ownedPolicies}
${cataloguePolicies}
`,
  down: /* sql */ `
${dropPolicies}
${PARENTS.map(([fn]) => `DROP FUNCTION ${fn}(uuid);`).join('\n')}
`,
};
