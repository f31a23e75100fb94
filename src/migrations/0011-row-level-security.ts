import type { Migration } from './migration.js';

/** Tables whose rows belong to one user, and the condition that names the owner. */
const OWNED: ReadonlyArray<readonly [table: string, visible: string]> = [
  ['users', 'id = foodsave_row_user()'],
  ['conversations', 'user_id = foodsave_row_user()'],
  ['receipts', 'user_id = foodsave_row_user()'],
  ['pantry_items', 'user_id = foodsave_row_user()'],
  ['pantry_events', 'user_id = foodsave_row_user()'],
  ['meal_plans', 'user_id = foodsave_row_user()'],
  ['product_matches', 'user_id = foodsave_row_user()'],
  // Child rows carry no user_id: they are visible when their parent is, through the parent's own policy.
  ['messages', 'foodsave_conversation_visible(conversation_id)'],
  ['receipt_items', 'foodsave_receipt_visible(receipt_id)'],
  ['meal_plan_items', 'foodsave_meal_plan_visible(meal_plan_id)'],
];

/** The parents of child rows: the function that checks one is visible, and the table it reads. */
const PARENTS = [
  ['foodsave_conversation_visible', 'conversations'],
  ['foodsave_receipt_visible', 'receipts'],
  ['foodsave_meal_plan_visible', 'meal_plans'],
] as const;

// The parent is named with the schema (the runner's current_schema()) rather than through a
// `SET search_path` on the function, which would cost a settings change on every call, that is on every
// child row read.
const parentFunctions = PARENTS.map(
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

/** The shared catalogue: every scope reads it, only the back-office scope writes it. */
const CATALOGUE = ['products', 'categories', 'recipes', 'recipe_ingredients', 'recipe_categories'] as const;

const ownedPolicies = OWNED.map(
  ([table, visible]) => /* sql */ `
ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;
CREATE POLICY foodsave_owner ON ${table} USING (foodsave_all_rows() OR ${visible}) WITH CHECK (foodsave_all_rows() OR ${visible});`,
).join('');

const cataloguePolicies = CATALOGUE.map(
  (table) => /* sql */ `
ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;
CREATE POLICY foodsave_read ON ${table} FOR SELECT USING (true);
CREATE POLICY foodsave_write ON ${table} USING (foodsave_all_rows()) WITH CHECK (foodsave_all_rows());`,
).join('');

const dropPolicies = [...OWNED.map(([table]) => table), ...CATALOGUE]
  .map(
    (table) => /* sql */ `
DROP POLICY IF EXISTS foodsave_owner ON ${table};
DROP POLICY IF EXISTS foodsave_read ON ${table};
DROP POLICY IF EXISTS foodsave_write ON ${table};
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
 * `foodsave_row_user` and `foodsave_all_rows` are plain SQL expressions without a `SET search_path`, so
 * the planner inlines them; they name only `pg_catalog`. The policies filter, they do not find: the
 * library's own `user_id = $1` conditions are what its index scans use. A child row (a message, a
 * receipt line, a meal-plan item) is checked through `foodsave_conversation_visible` and its two siblings: one primary-key
 * look-up of its parent under the parent's own policy. They are plpgsql functions on purpose: as an inlined
 * `EXISTS` the planner may turn the check into a join that reads every visible parent, and the parent's
 * policy is an `OR` no index can serve, so that is a full scan of `meal_plans` (PostgreSQL 13 chose it
 * for the shopping list).
 * Anything but 36 characters is no user at all (a session that ran a scoped statement earlier keeps the
 * setting as an empty string); 36 characters that are not a UUID are an error, loudly.
 */
export const rowLevelSecurity: Migration = {
  name: '0011-row-level-security',
  up: /* sql */ `
CREATE FUNCTION foodsave_row_user() RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN pg_catalog.length(pg_catalog.current_setting('foodsave.user_id', true)) OPERATOR(pg_catalog.=) 36
                THEN pg_catalog.current_setting('foodsave.user_id', true)::pg_catalog.uuid END
$$;
CREATE FUNCTION foodsave_all_rows() RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(pg_catalog.current_setting('foodsave.user_id', true) OPERATOR(pg_catalog.=) '*', false)
$$;
${parentFunctions}
${ownedPolicies}
${cataloguePolicies}
`,
  down: /* sql */ `
${dropPolicies}
${PARENTS.map(([fn]) => `DROP FUNCTION ${fn}(uuid);`).join('\n')}
DROP FUNCTION foodsave_all_rows();
DROP FUNCTION foodsave_row_user();
`,
};
