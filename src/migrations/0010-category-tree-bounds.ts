import type { Migration } from './migration.js';

/**
 * Keeps the category tree a tree, whatever writes it: `categories.update`, `move`, an insert, or a host's
 * own SQL. A parent that is the category itself or one of its descendants is refused
 * (`categories_no_cycle`), and so is a tree deeper than 32 levels (`categories_max_depth`), so the
 * recursive reads (`getSubtree`, `getAncestors`, products by category) always end, and end quickly.
 *
 * Two moves at once could each pass the check and close a cycle between them, so tree changes take a
 * transaction-scoped advisory lock first. That serialises writers in READ COMMITTED (the default); two
 * REPEATABLE READ or SERIALIZABLE transactions that both moved categories could still race, since
 * their snapshots predate the lock. Existing rows that break the rules stop the migration, naming one.
 * The function keeps the search_path it was created with: the runner's, which for this migration is the
 * library's schema alone.
 */
export const categoryTreeBounds: Migration = {
  name: '0010-category-tree-bounds',
  up: /* sql */ `
DO $$
DECLARE bad uuid;
BEGIN
    -- A cycle or an over-deep chain written before this migration: name one, and change nothing.
    WITH RECURSIVE up AS (
        SELECT id AS start, parent_id AS at, 1 AS depth FROM categories WHERE parent_id IS NOT NULL
        UNION ALL
        SELECT u.start, c.parent_id, u.depth + 1 FROM up u JOIN categories c ON c.id = u.at
         WHERE c.parent_id IS NOT NULL AND u.depth <= 32 AND u.at <> u.start
    )
    SELECT start INTO bad FROM up WHERE at = start OR depth > 31 LIMIT 1;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'category % is in a cycle or more than 32 levels deep: fix its parent_id, then migrate again', bad;
    END IF;
END;
$$;
CREATE FUNCTION foodsave_check_category_tree() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
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
CREATE TRIGGER trg_categories_tree BEFORE INSERT OR UPDATE OF parent_id ON categories
    FOR EACH ROW EXECUTE FUNCTION foodsave_check_category_tree();
`,
  down: /* sql */ `
DROP TRIGGER trg_categories_tree ON categories;
DROP FUNCTION foodsave_check_category_tree();
`,
};
