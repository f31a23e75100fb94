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
export const categoryTreeSerialised: Migration = {
  name: '0012-category-tree-serialised',
  up: /* sql */ `
CREATE TABLE foodsave_category_tree_version (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    version bigint NOT NULL DEFAULT 0
);
INSERT INTO foodsave_category_tree_version DEFAULT VALUES;
CREATE OR REPLACE FUNCTION foodsave_check_category_tree() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    ancestor uuid := NEW.parent_id;
    above int := 0;
    below int;
BEGIN
    IF NEW.parent_id IS NULL THEN
        RETURN NEW;
    END IF;
    -- One row every tree change updates: writers queue on its row lock, and a REPEATABLE READ or
    -- SERIALIZABLE writer whose snapshot predates another's committed change fails (40001) here.
    UPDATE foodsave_category_tree_version SET version = version + 1;
    WHILE ancestor IS NOT NULL LOOP
        IF ancestor = NEW.id THEN
            RAISE EXCEPTION 'a category cannot be under itself or one of its descendants'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'categories_no_cycle', TABLE = 'categories';
        END IF;
        above := above + 1;
        EXIT WHEN above > 32;
        SELECT parent_id INTO ancestor FROM categories WHERE id = ancestor;
    END LOOP;
    WITH RECURSIVE sub AS (
        SELECT id, 1 AS level FROM categories WHERE parent_id = NEW.id AND TG_OP = 'UPDATE'
        UNION ALL
        SELECT c.id, s.level + 1 FROM categories c JOIN sub s ON c.parent_id = s.id WHERE s.level <= 32
    )
    SELECT coalesce(max(level), 0) INTO below FROM sub;
    IF above + 1 + below > 32 THEN
        RAISE EXCEPTION 'categories may nest at most 32 levels deep'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'categories_max_depth', TABLE = 'categories';
    END IF;
    RETURN NEW;
END;
$$;
`,
  down: /* sql */ `
CREATE OR REPLACE FUNCTION foodsave_check_category_tree() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    ancestor uuid := NEW.parent_id;
    above int := 0;
    below int;
BEGIN
    IF NEW.parent_id IS NULL THEN
        RETURN NEW;
    END IF;
    PERFORM pg_advisory_xact_lock(7381240791506712166);
    WHILE ancestor IS NOT NULL LOOP
        IF ancestor = NEW.id THEN
            RAISE EXCEPTION 'a category cannot be under itself or one of its descendants'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'categories_no_cycle', TABLE = 'categories';
        END IF;
        above := above + 1;
        EXIT WHEN above > 32;
        SELECT parent_id INTO ancestor FROM categories WHERE id = ancestor;
    END LOOP;
    WITH RECURSIVE sub AS (
        SELECT id, 1 AS level FROM categories WHERE parent_id = NEW.id AND TG_OP = 'UPDATE'
        UNION ALL
        SELECT c.id, s.level + 1 FROM categories c JOIN sub s ON c.parent_id = s.id WHERE s.level <= 32
    )
    SELECT coalesce(max(level), 0) INTO below FROM sub;
    IF above + 1 + below > 32 THEN
        RAISE EXCEPTION 'categories may nest at most 32 levels deep'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'categories_max_depth', TABLE = 'categories';
    END IF;
    RETURN NEW;
END;
$$;
DROP TABLE foodsave_category_tree_version;
`,
};
