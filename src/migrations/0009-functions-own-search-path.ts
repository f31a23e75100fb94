import type { Migration } from './migration.js';

/** A DO block that runs `alter` (a format() string taking the function, then the schema) on each function. */
function forEachFunction(alter: string): string {
  return /* sql */ `
DO $$
DECLARE f regprocedure;
BEGIN
    FOR f IN SELECT p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
              WHERE n.nspname = current_schema() AND p.proname LIKE 'foodsave\\_%'
    LOOP
        EXECUTE format('${alter}', f, current_schema());
    END LOOP;
END;
$$;
`;
}

/**
 * Pins every function of the library to its own schema. A trigger function names tables without a
 * schema, and PostgreSQL resolves those names when it runs, with the search_path of the session that
 * fired it: behind a pooler, or in a host whose schema is not first in its path, that could be another
 * schema's `users` or `recipes`. `SET search_path` on the function makes it independent of the caller.
 * `pg_catalog` comes first so no table or function of the schema can stand in for a built-in one.
 *
 * The migration runner applies every migration with the library's schema as `current_schema()`, which
 * is the schema the functions were created in.
 */
export const functionsOwnSearchPath: Migration = {
  name: '0009-functions-own-search-path',
  up: forEachFunction('ALTER FUNCTION %s SET search_path = pg_catalog, %I'),
  down: forEachFunction('ALTER FUNCTION %s RESET search_path'),
};
