import { ALL_ROWS, OWNED, PARENTS, parentFunctions } from './0011-row-level-security.js';
import type { Migration } from './migration.js';

/** Each child table, its parent table and the column naming the parent. */
export const CHILDREN = [
  ['messages', 'conversations', 'conversation_id'],
  ['receipt_items', 'receipts', 'receipt_id'],
  ['meal_plan_items', 'meal_plans', 'meal_plan_id'],
] as const;

/** The owner policy of `table`: rows every scope may see (`all`), or those `visible` admits. */
export const ownerPolicy = (table: string, visible: string, all = ALL_ROWS) => /* sql */ `
DROP POLICY foodsave_owner ON ${table};
CREATE POLICY foodsave_owner ON ${table} USING (${all} OR ${visible}) WITH CHECK (${all} OR ${visible});`;

/** That a child row's parent is visible: one primary-key probe of the parent, under its own policy. */
export const parentVisible = (child: string, parent: string, column: string) =>
  `EXISTS (SELECT 1 FROM ${parent} p WHERE p.id OPERATOR(pg_catalog.=) ${child}.${column} OFFSET 0)`;

/**
 * A child row (a message, a receipt line, a meal-plan item) is visible when its parent is: 0011 asked a
 * plpgsql function per row, which costs a function call and an SPI query for every row read, most of
 * the server's time for a receipt of 30 lines. Now the policy holds the look-up itself, as a correlated
 * `EXISTS` that PostgreSQL runs as a sub-plan: one primary-key probe of the parent, under the parent's
 * own policy, per row. `OFFSET 0` keeps it that: the planner cannot turn a sub-query with an offset into
 * a join, which is what 0011's functions were for (a join that reads every visible parent, whose `OR`
 * policy no index serves: a full scan of `meal_plans` on PostgreSQL 13).
 */
export const childPoliciesWithoutFunctions: Migration = {
  name: '0014-child-policies-without-functions',
  up: /* sql */ `
${CHILDREN.map(([child, parent, column]) => ownerPolicy(child, parentVisible(child, parent, column))).join('')}
${PARENTS.map(([fn]) => `DROP FUNCTION ${fn}(uuid);`).join('\n')}
`,
  down: /* sql */ `
${parentFunctions}
${OWNED.filter(([table]) => CHILDREN.some(([child]) => child === table))
  .map(([table, visible]) => ownerPolicy(table, visible))
  .join('')}
`,
};
